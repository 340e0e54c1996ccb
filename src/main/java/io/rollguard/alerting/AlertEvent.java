package io.rollguard.alerting;

import io.rollguard.rules.Severity;
import io.rollguard.rules.SliReading;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A transition of an alert instance, for receivers: pending, firing or resolved. {@code source}
 * says what raised it (a rule, a rollout, an SLO tier, the rule files themselves) and {@code rule}
 * its name; {@code receivers} is that thing's {@code notify} list (empty: route by severity).
 * {@code labels} are the instance's: the exact-value matchers of its selection, its {@code by}
 * values, and the rule's own {@code labels}; {@code value} is the left-hand side of the condition's
 * first comparison at the evaluation ({@code NaN}: no data), {@code valueText} the same for people,
 * {@code threshold} what it is compared with ({@code > 1%}), {@code readings} every SLI the
 * condition names with its sample count and error bound, and {@code reason} why the instance moved,
 * in one sentence. Times in epoch milliseconds ({@code firedAt} 0 before firing). {@code rollout}
 * names the rollout and stage of a rollback verdict (null for other alerts). Immutable; built with
 * {@link #builder}.
 */
public record AlertEvent(
    Kind kind,
    Source source,
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
    RolloutRef rollout,
    List<String> receivers) {

  public AlertEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(severity, "severity");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    readings = List.copyOf(readings);
    receivers = List.copyOf(receivers);
  }

  /** The rollout and stage a rollback verdict is about. */
  public record RolloutRef(String name, String stage) {}

  /** What happened. */
  public enum Kind {
    PENDING,
    FIRING,
    RESOLVED,
    /**
     * A rollout's live stage was set: no alert state, only a change event for receivers that take
     * them (PagerDuty {@code change_events}); {@code rollout} names the new stage.
     */
    CHANGED
  }

  /** What raised the event. */
  public enum Source {
    /** A threshold rule instance. */
    RULE,
    /** A rollout's rollback verdict. */
    ROLLOUT,
    /** An SLO's burn-rate tier. */
    SLO,
    /** The rule files: a set that was refused, while the previous rules keep running. */
    RULE_FILES
  }

  /** An event of {@code kind} from {@code source} named {@code rule}; everything else empty. */
  public static Builder builder(Kind kind, Source source, String rule) {
    return new Builder(kind, source, rule);
  }

  /** A builder holding this event's fields, to derive another from it (a resolve, a restore). */
  public Builder toBuilder() {
    return new Builder(kind, source, rule)
        .severity(severity)
        .labels(labels)
        .annotations(annotations)
        .expr(expr)
        .window(window)
        .value(value, valueText)
        .threshold(threshold)
        .readings(readings)
        .reason(reason)
        .incident(incidentId, startedAtMillis, firedAtMillis)
        .at(atMillis)
        .rollout(rollout)
        .receivers(receivers);
  }

  /** Builds {@link AlertEvent}s field by field. Not thread-safe. */
  public static final class Builder {
    private Kind kind;
    private final Source source;
    private final String rule;
    private Severity severity = Severity.WARNING;
    private Map<String, String> labels = Map.of();
    private Map<String, String> annotations = Map.of();
    private String expr = "";
    private String window = "";
    private double value = Double.NaN;
    private String valueText = "";
    private String threshold = "";
    private List<SliReading> readings = List.of();
    private String reason = "";
    private String incidentId;
    private long startedAtMillis;
    private long firedAtMillis;
    private long atMillis;
    private RolloutRef rollout;
    private List<String> receivers = List.of();

    private Builder(Kind kind, Source source, String rule) {
      this.kind = kind;
      this.source = source;
      this.rule = rule;
    }

    public Builder kind(Kind kind) {
      this.kind = kind;
      return this;
    }

    public Builder severity(Severity severity) {
      this.severity = severity;
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      this.labels = labels;
      return this;
    }

    public Builder annotations(Map<String, String> annotations) {
      this.annotations = annotations;
      return this;
    }

    public Builder expr(String expr) {
      this.expr = expr;
      return this;
    }

    public Builder window(String window) {
      this.window = window;
      return this;
    }

    /** The value ({@code NaN}: no data) and how people read it. */
    public Builder value(double value, String valueText) {
      this.value = value;
      this.valueText = valueText;
      return this;
    }

    public Builder threshold(String threshold) {
      this.threshold = threshold;
      return this;
    }

    public Builder readings(List<SliReading> readings) {
      this.readings = readings;
      return this;
    }

    public Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    /** The episode: its incident (null before firing), when it started and when it fired. */
    public Builder incident(String incidentId, long startedAtMillis, long firedAtMillis) {
      this.incidentId = incidentId;
      this.startedAtMillis = startedAtMillis;
      this.firedAtMillis = firedAtMillis;
      return this;
    }

    public Builder at(long atMillis) {
      this.atMillis = atMillis;
      return this;
    }

    public Builder rollout(RolloutRef rollout) {
      this.rollout = rollout;
      return this;
    }

    /** The {@code notify} list of what raised the event (empty: route by severity). */
    public Builder receivers(List<String> receivers) {
      this.receivers = receivers;
      return this;
    }

    public AlertEvent build() {
      return new AlertEvent(
          kind,
          source,
          rule,
          severity,
          labels,
          annotations,
          expr,
          window,
          value,
          valueText,
          threshold,
          readings,
          reason,
          incidentId,
          startedAtMillis,
          firedAtMillis,
          atMillis,
          rollout,
          receivers);
    }
  }
}
