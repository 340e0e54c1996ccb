package io.rollguard.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.rollguard.config.Durations;
import io.rollguard.evaluation.Evaluation;
import io.rollguard.rollout.Verdict;
import io.rollguard.slo.SloEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * Rollouts and SLOs as Prometheus gauges, for dashboards and for alerting on Rollguard from
 * elsewhere: {@code rollguard_rollout_verdict{rollout,verdict}} (1 for the current verdict, 0 for
 * the others), {@code rollguard_slo_attainment{slo}}, {@code
 * rollguard_slo_error_budget_remaining{slo}} and {@code rollguard_slo_burn_rate{slo,window}}.
 * Updated after every evaluation, from the engines' snapshots.
 *
 * <p><b>Concurrency.</b> {@link #update} is called by the rules worker; Micrometer reads the rows
 * from the scrape thread (the rows hold immutable values).
 */
final class EvaluationMetrics {

  private final MultiGauge verdicts;
  private final MultiGauge attainment;
  private final MultiGauge budget;
  private final MultiGauge burnRates;

  EvaluationMetrics(MeterRegistry meters) {
    verdicts =
        MultiGauge.builder("rollguard.rollout.verdict")
            .description("1 for a rollout's current verdict (promote, hold, rollback), 0 otherwise")
            .register(meters);
    attainment =
        MultiGauge.builder("rollguard.slo.attainment")
            .description("Share of good requests over the SLO's period so far")
            .register(meters);
    budget =
        MultiGauge.builder("rollguard.slo.error.budget.remaining")
            .description("Share of the period's error budget left (negative once overspent)")
            .register(meters);
    burnRates =
        MultiGauge.builder("rollguard.slo.burn.rate")
            .description("How fast the error budget burns over a window (1 = exactly on budget)")
            .register(meters);
  }

  void update(Evaluation evaluation) {
    List<MultiGauge.Row<?>> verdictRows = new ArrayList<>();
    for (Verdict v : evaluation.rollouts().verdicts().values()) {
      for (Verdict.Decision d : Verdict.Decision.values()) {
        verdictRows.add(
            MultiGauge.Row.of(
                Tags.of("rollout", v.rollout().name(), "verdict", d.wireName()),
                v.decision() == d ? 1 : 0));
      }
    }
    verdicts.register(verdictRows, true);
    List<MultiGauge.Row<?>> attainmentRows = new ArrayList<>();
    List<MultiGauge.Row<?>> budgetRows = new ArrayList<>();
    List<MultiGauge.Row<?>> burnRows = new ArrayList<>();
    for (SloEngine.SloStatus s : evaluation.slos().snapshot().slos()) {
      Tags slo = Tags.of("slo", s.slo().name());
      attainmentRows.add(MultiGauge.Row.of(slo, s.attainment()));
      budgetRows.add(MultiGauge.Row.of(slo, s.budgetRemaining()));
      for (SloEngine.Burn b : s.burns()) {
        burnRows.add(MultiGauge.Row.of(slo.and("window", Durations.format(b.window())), b.rate()));
      }
    }
    attainment.register(attainmentRows, true);
    budget.register(budgetRows, true);
    burnRates.register(burnRows, true);
  }
}
