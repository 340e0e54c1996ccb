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
import java.util.function.ToDoubleFunction;

/**
 * Rollouts and SLOs as Prometheus gauges, for dashboards and for alerting on Rollguard from
 * elsewhere: {@code rollguard_rollout_verdict{rollout,verdict}} (1 for the current verdict, 0 for
 * the others), {@code rollguard_slo_attainment{slo}}, {@code
 * rollguard_slo_error_budget_remaining{slo}} and {@code rollguard_slo_burn_rate{slo,window}}.
 *
 * <p>The gauges read the engines' latest snapshots when scraped; their rows are registered again
 * only when the set of rollouts, SLOs or windows changes (a reload), not on every evaluation.
 *
 * <p><b>Concurrency.</b> {@link #update} is called by the rules worker; Micrometer reads the gauges
 * from the scrape thread, through the engines' immutable snapshots.
 */
final class EvaluationMetrics {

  private final Evaluation evaluation;
  private final MultiGauge verdicts;
  private final MultiGauge attainment;
  private final MultiGauge budget;
  private final MultiGauge burnRates;
  private List<String> registeredKeys = List.of();

  EvaluationMetrics(MeterRegistry meters, Evaluation evaluation) {
    this.evaluation = evaluation;
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

  /** Registers the rows again when rollouts, SLOs or their windows came or went. */
  void update() {
    List<String> keys = keys();
    if (keys.equals(registeredKeys)) {
      return;
    }
    registeredKeys = keys;
    List<MultiGauge.Row<?>> verdictRows = new ArrayList<>();
    for (String rollout : evaluation.rollouts().verdicts().keySet()) {
      for (Verdict.Decision d : Verdict.Decision.values()) {
        verdictRows.add(
            row(
                Tags.of("rollout", rollout, "verdict", d.wireName()),
                e -> {
                  Verdict v = e.rollouts().verdicts().get(rollout);
                  return v == null ? Double.NaN : v.decision() == d ? 1 : 0;
                }));
      }
    }
    verdicts.register(verdictRows, true);
    List<MultiGauge.Row<?>> attainmentRows = new ArrayList<>();
    List<MultiGauge.Row<?>> budgetRows = new ArrayList<>();
    List<MultiGauge.Row<?>> burnRows = new ArrayList<>();
    List<SloEngine.SloStatus> slos = evaluation.slos().snapshot().slos();
    for (int i = 0; i < slos.size(); i++) {
      String name = slos.get(i).slo().name();
      Tags slo = Tags.of("slo", name);
      attainmentRows.add(row(slo, e -> slo(e, name, SloEngine.SloStatus::attainment)));
      budgetRows.add(row(slo, e -> slo(e, name, SloEngine.SloStatus::budgetRemaining)));
      List<SloEngine.Burn> burns = slos.get(i).burns();
      for (int w = 0; w < burns.size(); w++) {
        int window = w;
        burnRows.add(
            row(
                slo.and("window", Durations.format(burns.get(w).window())),
                e -> slo(e, name, s -> s.burns().get(window).rate())));
      }
    }
    attainment.register(attainmentRows, true);
    budget.register(budgetRows, true);
    burnRates.register(burnRows, true);
  }

  /** What the rows are registered for: rollout names, SLO names with their windows. */
  private List<String> keys() {
    List<String> keys = new ArrayList<>(evaluation.rollouts().verdicts().keySet());
    for (SloEngine.SloStatus s : evaluation.slos().snapshot().slos()) {
      keys.add("slo:" + s.slo().name() + ":" + s.burns().size());
    }
    return keys;
  }

  private MultiGauge.Row<Evaluation> row(Tags tags, ToDoubleFunction<Evaluation> value) {
    return MultiGauge.Row.of(tags, evaluation, value);
  }

  /** A value of the SLO named {@code name} in the latest snapshot, NaN once it is gone. */
  private static double slo(
      Evaluation e, String name, ToDoubleFunction<SloEngine.SloStatus> value) {
    for (SloEngine.SloStatus s : e.slos().snapshot().slos()) {
      if (s.slo().name().equals(name)) {
        return value.applyAsDouble(s);
      }
    }
    return Double.NaN;
  }
}
