package io.rollguard.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.config.Durations;
import io.rollguard.evaluation.Evaluation;
import io.rollguard.rollout.Verdict;
import io.rollguard.rules.Truth;
import io.rollguard.slo.SloEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private final MultiGauge ruleValues;
  private final MultiGauge ruleThresholds;
  private final MultiGauge alertStates;
  private final MultiGauge criterionValues;
  private final MultiGauge criterionThresholds;
  private final MultiGauge criterionHolds;
  private final int maxRuleGroups;
  private List<String> registeredKeys = List.of();
  private List<Tags> registeredGroups = List.of();
  private List<CriterionRow> registeredCriteria = List.of();

  /** The exported rule instances as of the last evaluation, by their rows' tags (rules worker). */
  private volatile Map<Tags, RuleEngine.InstanceStatus> exported = Map.of();

  /** Where a rollout criterion's row reads its values, and the row's tags. */
  private record CriterionRow(String rollout, boolean promote, int index, Tags tags) {}

  private volatile long unexported;

  EvaluationMetrics(MeterRegistry meters, Evaluation evaluation, int maxRuleGroups) {
    this.evaluation = evaluation;
    this.maxRuleGroups = maxRuleGroups;
    ruleValues =
        MultiGauge.builder("rollguard.rule.value")
            .description(
                "A rule instance's value: the left-hand side of its condition (ms, ratio or number)")
            .register(meters);
    ruleThresholds =
        MultiGauge.builder("rollguard.rule.threshold")
            .description("What a rule instance's value is compared with, in the value's unit")
            .register(meters);
    alertStates =
        MultiGauge.builder("rollguard.alert.state")
            .description("A rule instance's state: 0 inactive, 1 pending, 2 firing")
            .register(meters);
    Gauge.builder("rollguard.rule.groups.unexported", this, m -> m.unexported)
        .description("Rule instances left out of rollguard_rule_* (metrics.max_rule_groups)")
        .register(meters);
    criterionValues =
        MultiGauge.builder("rollguard.rollout.criterion.value")
            .description("A rollout criterion's value (left-hand side of its condition)")
            .register(meters);
    criterionThresholds =
        MultiGauge.builder("rollguard.rollout.criterion.threshold")
            .description("What a rollout criterion's value is compared with")
            .register(meters);
    criterionHolds =
        MultiGauge.builder("rollguard.rollout.criterion.holds")
            .description("1 while a rollout criterion holds, 0 while not, NaN without data")
            .register(meters);
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

  /**
   * Publishes the rule instances' values, and registers the rows again when rule instances,
   * rollouts, criteria, SLOs or their windows came or went.
   */
  void update() {
    updateRules();
    updateCriteria();
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

  /**
   * One row per rule instance, the first {@code maxRuleGroups} in rule file order (within a rule,
   * in group order, so which ones fit does not depend on hashing). A row reads its value by its
   * tags; rows that stay are kept as they are when others come or go (no gap for a scrape).
   */
  private void updateRules() {
    Map<Tags, RuleEngine.InstanceStatus> now = new LinkedHashMap<>();
    long left = 0;
    for (RuleEngine.RuleStatus r : evaluation.rules().snapshot().rules()) {
      java.util.TreeMap<String, RuleEngine.InstanceStatus> byGroup = new java.util.TreeMap<>();
      for (RuleEngine.InstanceStatus i : r.instances()) {
        byGroup.put(group(r.rule().by(), i.labels()), i);
      }
      for (var e : byGroup.entrySet()) {
        if (now.size() >= maxRuleGroups) {
          left++;
          continue;
        }
        now.put(
            Tags.of(
                "rule", r.rule().name(),
                "group", e.getKey(),
                "severity", r.rule().severity().wireName()),
            e.getValue());
      }
    }
    exported = now;
    unexported = left;
    List<Tags> keys = List.copyOf(now.keySet());
    if (keys.equals(registeredGroups)) {
      return;
    }
    registeredGroups = keys;
    List<MultiGauge.Row<?>> values = new ArrayList<>();
    List<MultiGauge.Row<?>> thresholds = new ArrayList<>();
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    for (Tags t : keys) {
      values.add(MultiGauge.Row.of(t, this, m -> m.instance(t, i -> i.value())));
      thresholds.add(MultiGauge.Row.of(t, this, m -> m.instance(t, i -> i.threshold())));
      states.add(MultiGauge.Row.of(t, this, m -> m.instance(t, i -> i.phase().ordinal())));
    }
    ruleValues.register(values, false);
    ruleThresholds.register(thresholds, false);
    alertStates.register(states, false);
  }

  private double instance(Tags row, ToDoubleFunction<RuleEngine.InstanceStatus> value) {
    RuleEngine.InstanceStatus i = exported.get(row);
    return i == null ? Double.NaN : value.applyAsDouble(i);
  }

  /** An instance's {@code by} values as {@code k=v,k2=v2}; empty for a rule without {@code by}. */
  static String group(List<String> by, Map<String, String> labels) {
    StringBuilder b = new StringBuilder();
    for (String name : by) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(name).append('=').append(labels.getOrDefault(name, ""));
    }
    return b.toString();
  }

  /** One row per rollout criterion. */
  private void updateCriteria() {
    List<CriterionRow> rows = new ArrayList<>();
    for (Verdict v : evaluation.rollouts().verdicts().values()) {
      for (boolean promote : new boolean[] {true, false}) {
        List<Verdict.CriterionStatus> list = promote ? v.promote() : v.rollback();
        for (int i = 0; i < list.size(); i++) {
          rows.add(
              new CriterionRow(
                  v.rollout().name(),
                  promote,
                  i,
                  Tags.of(
                      "rollout", v.rollout().name(),
                      "kind", promote ? "promote" : "rollback",
                      "criterion", list.get(i).criterion().text())));
        }
      }
    }
    if (rows.equals(registeredCriteria)) {
      return;
    }
    registeredCriteria = rows;
    List<MultiGauge.Row<?>> values = new ArrayList<>();
    List<MultiGauge.Row<?>> thresholds = new ArrayList<>();
    List<MultiGauge.Row<?>> holds = new ArrayList<>();
    for (CriterionRow c : rows) {
      values.add(row(c.tags(), e -> criterion(e, c, s -> s.value())));
      thresholds.add(row(c.tags(), e -> criterion(e, c, s -> s.thresholdValue())));
      holds.add(
          row(
              c.tags(),
              e ->
                  criterion(
                      e,
                      c,
                      s ->
                          s.truth() == Truth.NO_DATA
                              ? Double.NaN
                              : s.truth() == Truth.TRUE ? 1 : 0)));
    }
    criterionValues.register(values, true);
    criterionThresholds.register(thresholds, true);
    criterionHolds.register(holds, true);
  }

  private static double criterion(
      Evaluation e, CriterionRow row, ToDoubleFunction<Verdict.CriterionStatus> value) {
    Verdict v = e.rollouts().verdicts().get(row.rollout());
    if (v == null) {
      return Double.NaN;
    }
    List<Verdict.CriterionStatus> list = row.promote() ? v.promote() : v.rollback();
    return row.index() < list.size() ? value.applyAsDouble(list.get(row.index())) : Double.NaN;
  }

  /** What the rows are registered for: rollout names, SLO names with their windows. */
  private List<String> keys() {
    List<String> keys = new ArrayList<>(evaluation.rollouts().verdicts().keySet());
    for (SloEngine.SloStatus s : evaluation.slos().snapshot().slos()) {
      StringBuilder windows = new StringBuilder();
      s.burns().forEach(b -> windows.append(':').append(Durations.format(b.window())));
      keys.add("slo:" + s.slo().name() + windows);
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
