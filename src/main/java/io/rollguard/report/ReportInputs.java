package io.rollguard.report;

import java.util.List;
import java.util.Map;

/**
 * What a report is made from, read from the live server (or scripted in tests): the SLOs now and
 * over the report's span, the incidents, the rollouts' journal and their verdicts now. Immutable.
 */
public record ReportInputs(
    List<SloLine> slos,
    List<IncidentLine> incidents,
    List<RolloutJournal.Entry> rolloutEvents,
    List<RolloutNow> rollouts) {

  public ReportInputs {
    slos = List.copyOf(slos);
    incidents = List.copyOf(incidents);
    rolloutEvents = List.copyOf(rolloutEvents);
    rollouts = List.copyOf(rollouts);
  }

  /**
   * One SLO: over its {@code period} (attainment NaN without requests), the budget left (a share of
   * the whole budget), PASS/FAIL/NO_DATA, burn rates by window, and the good and total requests of
   * the report's span.
   */
  public record SloLine(
      String name,
      double objective,
      String period,
      double attainment,
      double budgetRemaining,
      String compliance,
      Map<String, Double> burnRates,
      long spanGood,
      long spanTotal) {
    public SloLine {
      burnRates = Map.copyOf(burnRates);
    }
  }

  /**
   * One incident: what raised it ({@code source}: rule, rollout, slo), when it fired and resolved
   * (0: still open), why, and its link.
   */
  public record IncidentLine(
      String id,
      String rule,
      String source,
      String severity,
      Map<String, String> labels,
      long firedAtMillis,
      long resolvedAtMillis,
      String reason,
      String resolution,
      int notifications,
      String link) {
    public IncidentLine {
      labels = Map.copyOf(labels);
    }
  }

  /** A rollout's verdict now. */
  public record RolloutNow(
      String rollout,
      String stage,
      int attempt,
      String decision,
      List<String> reasons,
      long since) {
    public RolloutNow {
      reasons = List.copyOf(reasons);
    }
  }
}
