package io.rollguard.alerting;

import io.rollguard.rules.Severity;
import java.util.Map;

/**
 * A transition of an alert instance, for receivers: pending, firing or resolved. {@code labels} are
 * the instance's ({@code by} labels, then the rule's own {@code labels}); {@code value} is the
 * left-hand side of the condition's comparison at the evaluation ({@code NaN}: no data). Times in
 * epoch milliseconds. Immutable.
 */
public record AlertEvent(
    Kind kind,
    String rule,
    Severity severity,
    Map<String, String> labels,
    Map<String, String> annotations,
    String expr,
    String window,
    double value,
    String incidentId,
    long startedAtMillis,
    long firedAtMillis,
    long atMillis) {

  /** What happened. */
  public enum Kind {
    PENDING,
    FIRING,
    RESOLVED
  }
}
