package io.rollguard.alerting;

import io.rollguard.rules.Severity;
import io.rollguard.rules.SliReading;
import java.util.List;
import java.util.Map;

/**
 * A transition of an alert instance, for receivers: pending, firing or resolved. {@code labels} are
 * the instance's ({@code by} labels, then the rule's own {@code labels}); {@code value} is the
 * left-hand side of the condition's first comparison at the evaluation ({@code NaN}: no data),
 * {@code valueText} the same for people, {@code threshold} what it is compared with ({@code > 1%}),
 * {@code readings} every SLI the condition names with its sample count and error bound, and {@code
 * reason} why the instance moved, in one sentence. Times in epoch milliseconds ({@code firedAt} 0
 * before firing). {@code rollout} names the rollout and stage of a rollback verdict (null for other
 * alerts). Immutable.
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
    String valueText,
    String threshold,
    List<SliReading> readings,
    String reason,
    String incidentId,
    long startedAtMillis,
    long firedAtMillis,
    long atMillis,
    RolloutRef rollout) {

  /** The rollout and stage a rollback verdict is about. */
  public record RolloutRef(String name, String stage) {}

  /** What happened. */
  public enum Kind {
    PENDING,
    FIRING,
    RESOLVED
  }
}
