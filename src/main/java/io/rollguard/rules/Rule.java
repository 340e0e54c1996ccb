package io.rollguard.rules;

import io.rollguard.config.Position;
import io.rollguard.window.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A threshold rule as written in a rule file (SPEC 3.1), validated. {@code every} is null when the
 * rule uses the server's evaluation interval; {@code baseline} is null without a baseline selector.
 * Immutable.
 */
public record Rule(
    String name,
    String description,
    Selector select,
    Map<String, String> selectSpec,
    List<String> by,
    Duration window,
    Expr when,
    String whenText,
    Duration forDuration,
    int consecutive,
    Duration every,
    long minSamples,
    Duration keepFiringFor,
    Severity severity,
    List<String> receivers,
    Map<String, String> labels,
    Map<String, String> annotations,
    Selector baseline,
    Map<String, String> baselineSpec,
    Position position) {

  /** Whether {@code other} says the same as this rule (where it stands in its file aside). */
  public boolean sameDefinition(Rule other) {
    return name.equals(other.name)
        && whenText.equals(other.whenText)
        && selectSpec.equals(other.selectSpec)
        && by.equals(other.by)
        && window.equals(other.window)
        && forDuration.equals(other.forDuration)
        && consecutive == other.consecutive
        && java.util.Objects.equals(every, other.every)
        && minSamples == other.minSamples
        && keepFiringFor.equals(other.keepFiringFor)
        && severity == other.severity
        && receivers.equals(other.receivers)
        && labels.equals(other.labels)
        && annotations.equals(other.annotations)
        && java.util.Objects.equals(baselineSpec, other.baselineSpec);
  }
}
