package io.rollguard.rollout;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.AlertText;
import io.rollguard.alerting.IncidentIds;
import io.rollguard.alerting.Phase;
import io.rollguard.config.Durations;
import io.rollguard.config.Fields;
import io.rollguard.rules.Expr;
import io.rollguard.rules.Rollout;
import io.rollguard.rules.Sli;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Truth;
import io.rollguard.rules.Type;
import io.rollguard.window.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What rollouts say to people: the reasons of a verdict and the rollback incident's events, each
 * sentence built from the criteria's values and times. Stateless.
 */
final class RolloutText {

  /** An attempt's rollback: its firing event, and the reasons it gives, one per criterion. */
  record Rollback(AlertEvent event, List<String> reasons) {}

  private RolloutText() {}

  /** Why the verdict is promote. */
  static String promoteReason(Rollout r, Rollout.Stage stage, long heldMillis) {
    return (r.promoteWhen().isEmpty()
            ? "no rollback criterion fired"
            : "all " + r.promoteWhen().size() + " promotion criteria held")
        + " for "
        + held(heldMillis)
        + " at stage "
        + stage.name()
        + (stage.minDuration().isZero()
            ? ""
            : " (min_duration " + Durations.format(stage.minDuration()) + ")");
  }

  /** Why the verdict is hold: what does not hold or lacks data, time left, pending rollbacks. */
  static void holdReasons(
      Rollout r,
      Rollout.Stage stage,
      long promoteHoldingSince,
      List<Verdict.CriterionStatus> promote,
      List<Verdict.CriterionStatus> rollback,
      long now,
      List<String> reasons) {
    for (Verdict.CriterionStatus s : promote) {
      if (s.judge() != null && s.truth() != Truth.TRUE) {
        reasons.add(s.criterion().text() + ": " + s.valueText());
      } else if (s.truth() == Truth.NO_DATA) {
        reasons.add(noData(r, s));
      } else if (s.truth() == Truth.FALSE) {
        reasons.add(s.criterion().text() + " does not hold (" + s.valueText() + ")");
      }
    }
    if (reasons.isEmpty()) {
      reasons.add(
          "promotion criteria have held for "
              + held(now - promoteHoldingSince)
              + " of the stage's min_duration "
              + Durations.format(stage.minDuration()));
    }
    for (Verdict.CriterionStatus s : rollback) {
      if (s.phase() == Phase.PENDING) {
        reasons.add(
            "rollback criterion "
                + s.criterion().text()
                + " has held for "
                + held(now - s.sinceMillis())
                + " ("
                + s.valueText()
                + "); it fires after "
                + Durations.format(s.criterion().forDuration())
                + (s.criterion().consecutive() > 1
                    ? " and " + s.criterion().consecutive() + " evaluations in a row"
                    : ""));
      }
    }
  }

  /**
   * A judge criterion in one sentence: decided ({@code shown worse: p95 is 1.31x the baseline's
   * (bounds 1.18x..1.45x), evidence 412 >= 200, 6,120 and 54,990 requests}) or not yet ({@code
   * inconclusive: ..., about 2,400 more canary requests (~4m at the current traffic)}).
   */
  static String judgeSummary(Expr.Judge j, CanaryJudge.Reading r, long decidedAt) {
    if (r.unusable() != null) {
      return "no data: " + r.unusable();
    }
    if (r.noData()) {
      return "no data: "
          + r.canaryRequests()
          + " canary and "
          + r.baselineRequests()
          + " baseline requests in the stage";
    }
    boolean errors = j.sli() == Sli.ERROR_RATE;
    if (r.canaryEvents() + r.baselineEvents() == 0) {
      return "inconclusive: "
          + (errors
              ? "no errors in either version yet"
              : "no request of either version is past the thresholds yet")
          + ", "
          + requests(r)
          + ": nothing to weigh";
    }
    String what = errors ? "the error rate" : j.sliText();
    Type unit = errors ? Type.RATIO : Type.DURATION;
    StringBuilder b = new StringBuilder();
    if (decidedAt > 0 || r.decided()) {
      b.append(j.worse() ? "shown worse than the baseline by more than " : "shown within ")
          .append(j.marginText())
          .append(j.worse() ? "" : " of the baseline")
          .append(": ");
    } else {
      b.append("inconclusive: ");
    }
    b.append(what)
        .append(" is ")
        .append(ratio(r.estimate()))
        .append(" the baseline's (")
        .append(AlertText.format(unit, r.canaryValue()))
        .append(" vs ")
        .append(AlertText.format(unit, r.baselineValue()))
        .append("; bounds ")
        .append(ratio(r.lower()))
        .append("..")
        .append(ratio(r.upper()))
        .append("), evidence ")
        .append(number(r.evidence()))
        .append(r.decided() ? " >= " : " of ")
        .append(number(r.needed()))
        .append(", ")
        .append(requests(r));
    if (decidedAt > 0 && !r.decided()) {
      b.append(" (decided earlier in the stage)");
    }
    if (decidedAt == 0 && !r.decided()) {
      b.append(
          r.requestsNeeded() < 0
              ? "; the canary looks about as good as the margin: more traffic may not settle it"
              : "; about "
                  + count(r.requestsNeeded())
                  + " more canary requests (~"
                  + Durations.format(Duration.ofSeconds(Math.max(1, r.secondsNeeded())))
                  + " at the current traffic)");
    }
    return b.toString();
  }

  /** {@code 2,310 canary and 20,880 baseline requests}. */
  private static String requests(CanaryJudge.Reading r) {
    return count(r.canaryRequests())
        + " canary and "
        + count(r.baselineRequests())
        + " baseline requests";
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A ratio for people: {@code 1.31x}, {@code <0.01x}, {@code inf}. */
  static String ratio(double r) {
    if (Double.isNaN(r)) {
      return "n/a";
    }
    if (Double.isInfinite(r)) {
      return "inf";
    }
    return String.format(Locale.ROOT, r < 0.01 ? "%.3gx" : "%.2fx", r);
  }

  /** A positive number for people: 3 significant digits, thousands separated. */
  static String number(double v) {
    if (Double.isInfinite(v)) {
      return "inf";
    }
    if (v >= 1_000) {
      return String.format(Locale.ROOT, "%,.0f", Math.min(v, 1e15));
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  /** How long something has held, for people: whole seconds from one second on. */
  static String held(long millis) {
    return Durations.format(Duration.ofMillis(millis >= 1_000 ? millis / 1_000 * 1_000 : millis));
  }

  /**
   * Why a criterion has no data: each SLI without a value with what it had ({@code p95 over 37
   * requests, baseline(p95) over 912; min_samples 100}, {@code gauge("pass_rate"): no point}).
   */
  private static String noData(Rollout r, Verdict.CriterionStatus s) {
    List<String> parts = new ArrayList<>();
    boolean requests = false;
    for (SliReading reading : s.readings()) {
      String e = reading.expr();
      boolean gauge = e.contains("gauge");
      boolean check = e.contains("consecutive_failures") || e.contains("check_failure_rate");
      if (gauge || check) {
        if (reading.samples() == 0) {
          parts.add(e + ": no " + (gauge ? "point" : "result"));
        }
      } else if (Double.isNaN(reading.value())) {
        parts.add(e + " over " + reading.samples() + " requests");
        requests = true;
      }
    }
    return s.criterion().text()
        + ": not enough data in "
        + Durations.format(r.window())
        + " ("
        + String.join(", ", parts)
        + (requests ? "; min_samples " + s.criterion().minSamples() : "")
        + ")";
  }

  /** Attempt {@code attempt}'s rollback: its firing event, naming the criteria that fired. */
  static Rollback rollback(
      Rollout r, Rollout.Stage stage, int attempt, List<Verdict.CriterionStatus> firing, long now) {
    List<String> reasons = new ArrayList<>();
    Set<SliReading> readings = new LinkedHashSet<>();
    long startedAt = now;
    for (Verdict.CriterionStatus s : firing) {
      if (s.judge() != null) {
        reasons.add(s.criterion().text() + ": " + s.valueText());
        readings.addAll(s.readings());
        startedAt = Math.min(startedAt, s.judge().decidedAtMillis());
        continue;
      }
      reasons.add(
          s.criterion().text()
              + " held for "
              + held(now - s.sinceMillis())
              + " ("
              + s.valueText()
              + ")");
      readings.addAll(s.readings());
      startedAt = Math.min(startedAt, s.sinceMillis());
    }
    Verdict.CriterionStatus first = firing.get(0);
    String incidentId = IncidentIds.of("rollout|" + r.name() + "|" + attempt, now);
    AlertEvent event =
        base(r, stage, AlertEvent.Kind.FIRING)
            .annotations(
                Map.of(
                    "summary",
                    "Rollout "
                        + r.name()
                        + " rolled back at stage "
                        + stage.name()
                        + " ("
                        + AlertText.format(io.rollguard.rules.Type.RATIO, stage.traffic())
                        + " of traffic)"))
            .expr(String.join(" or ", firing.stream().map(s -> s.criterion().text()).toList()))
            .value(first.value(), first.valueText())
            .threshold(first.threshold())
            .readings(List.copyOf(readings))
            .reason(String.join("; ", reasons))
            .incident(incidentId, startedAt, now)
            .at(now)
            .build();
    return new Rollback(event, List.copyOf(reasons));
  }

  /**
   * What every event of a rollout's rollback incident carries: the rollout and stage, its
   * receivers, and labels that say what to roll back (the exact-value matchers of its {@code
   * select}, the stage label with the stage, and {@code rollout}/{@code stage}).
   */
  private static AlertEvent.Builder base(Rollout r, Rollout.Stage stage, AlertEvent.Kind kind) {
    Map<String, String> labels = new TreeMap<>(Selector.exactValues(r.selectSpec()));
    labels.put(r.stageLabel(), stage.name());
    labels.put("rollout", r.name());
    labels.put("stage", stage.name());
    return AlertEvent.builder(kind, AlertEvent.Source.ROLLOUT, r.name())
        .severity(r.severity())
        .labels(labels)
        .window(Durations.format(r.window()))
        .rollout(new AlertEvent.RolloutRef(r.name(), stage.name()))
        .receivers(r.receivers());
  }

  /**
   * The change event of a stage set by the deployer: what PagerDuty's change timeline shows. Its id
   * names the rollout, attempt, stage and time, so it is stable through the outbox.
   */
  static AlertEvent stageChangedEvent(
      Rollout r, Rollout.Stage from, Rollout.Stage to, int attempt, long now) {
    String share = Fields.percent(to.traffic());
    return base(r, to, AlertEvent.Kind.CHANGED)
        .reason(
            r.name()
                + " moved to stage "
                + to.name()
                + " ("
                + share
                + " of traffic)"
                + (from == null || from == to ? "" : " from " + from.name())
                + ", attempt "
                + attempt)
        .incident("stage:" + r.name() + ":" + attempt + ":" + to.name() + ":" + now, now, now)
        .at(now)
        .build();
  }

  /** The resolve of a rollback incident, saying why. */
  static AlertEvent resolvedEvent(AlertEvent f, String why, long now) {
    return f.toBuilder()
        .kind(AlertEvent.Kind.RESOLVED)
        .value(Double.NaN, "")
        .readings(List.of())
        .reason(why)
        .at(now)
        .build();
  }

  /** A rollback restored after a restart: what identifies it, and its reasons. */
  static Rollback restoredRollback(Rollout rollout, Rollout.Stage st, RolloutEngine.SavedStage s) {
    AlertEvent event =
        base(rollout, st, AlertEvent.Kind.FIRING)
            .reason(String.join("; ", s.rollbackReasons()))
            .incident(s.rollbackIncidentId(), s.rollbackFiredAtMillis(), s.rollbackFiredAtMillis())
            .at(s.rollbackFiredAtMillis())
            .build();
    return new Rollback(event, s.rollbackReasons());
  }
}
