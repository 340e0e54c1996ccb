package io.rollguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.clock.ManualClock;
import io.rollguard.rules.Rollout;
import io.rollguard.rules.RuleLoader;
import io.rollguard.rules.Truth;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The judge in the rollout engine, over real windows on a manual clock, one evaluation a second: a
 * slower canary is rolled back with the evidence that shows it, a healthy one is promoted only once
 * non-inferiority is shown and the stage's min_duration has passed, and in between the verdict
 * holds as inconclusive with the requests still needed.
 */
class CanaryJudgeTest {

  private static final long T0 = 1_763_900_000_000L;

  private static final String JUDGED =
      """
      rollouts:
        - name: checkout
          select: {service: checkout}
          baseline: {stage: stable}
          alpha: 1%
          stages:
            - {name: canary, traffic: 10%, min_duration: 2m}
            - {name: full, traffic: 100%}
          promote_when:
            - within_baseline(p95, 10%)
          rollback_when:
            - worse_than_baseline(p95, 10%)
            - worse_than_baseline(error_rate, 0%)
      """;

  private final ManualClock clock = new ManualClock(T0);
  private final SeriesRegistry registry =
      new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
  private final RolloutEngine engine = new RolloutEngine(registry, Duration.ofSeconds(1));
  private final LatencyScratch scratch = new LatencyScratch();
  private final List<AlertEvent> events = new ArrayList<>();
  private final Random random = new Random(3);

  private static List<Rollout> rollouts(String yaml) {
    RuleLoader.Result r =
        RuleLoader.load(List.of(new RuleLoader.Source("r.yaml", yaml)), Duration.ofHours(1), null);
    assertThat(r.valid()).as(r.problems().format()).isTrue();
    return r.rollouts();
  }

  /** {@code n} lognormal latencies around {@code medianMillis}, a share {@code errors} failed. */
  private void push(String stage, int n, double medianMillis, double errors) {
    RequestSamples samples = new RequestSamples();
    for (int i = 0; i < n; i++) {
      double ms = medianMillis * Math.exp(0.35 * random.nextGaussian());
      samples.add(clock.wallTimeMillis(), Math.round(ms * 1000), random.nextDouble() < errors);
    }
    registry
        .requests(Labels.of(Map.of("service", "checkout", "stage", stage)))
        .record(samples, 0, n, clock.wallTimeMillis(), scratch);
  }

  /** Seconds of traffic: 90 baseline and 10 canary requests a second; one evaluation a second. */
  private void run(int seconds, double canaryMedian, double canaryErrors) {
    for (int s = 0; s < seconds; s++) {
      push("stable", 90, 100, 0.005);
      push("canary", 10, canaryMedian, canaryErrors);
      clock.advance(Duration.ofSeconds(1));
      events.addAll(engine.tick(clock.wallTimeMillis()));
    }
  }

  private Verdict verdict() {
    return engine.verdicts().get("checkout");
  }

  @Test
  void aCanaryAQuarterSlowerIsRolledBackWithTheEvidence() {
    engine.setRollouts(rollouts(JUDGED), T0);
    run(600, 125, 0.005);
    Verdict v = verdict();
    assertThat(v.decision()).isEqualTo(Verdict.Decision.ROLLBACK);
    Verdict.CriterionStatus latency = v.rollback().get(0);
    assertThat(latency.truth()).isEqualTo(Truth.TRUE);
    Verdict.JudgeStatus judge = latency.judge();
    assertThat(judge.decidedAtMillis()).isBetween(T0, T0 + 300_000); // well within 5 minutes
    // the bounds hold the true ratio (1.25) and exclude the margin
    assertThat(judge.reading().lower()).isGreaterThan(1.10).isLessThan(1.25);
    assertThat(judge.reading().upper()).isGreaterThan(1.25);
    assertThat(judge.reading().estimate()).isBetween(1.15, 1.35);
    assertThat(v.reasons().get(0))
        .startsWith("worse_than_baseline(p95, 10%): shown worse than the baseline by more than 10%")
        .contains("canary and")
        .contains("evidence");
    AlertEvent rollback = events.get(0);
    assertThat(rollback.kind()).isEqualTo(AlertEvent.Kind.FIRING);
    assertThat(rollback.reason()).contains("worse_than_baseline(p95, 10%)");
    assertThat(rollback.readings())
        .extracting(r -> r.expr())
        .contains("p95 over the stage", "baseline(p95) over the stage");
    // the error rate is the same on both sides: never shown worse
    assertThat(v.rollback().get(1).truth()).isEqualTo(Truth.FALSE);
  }

  @Test
  void aHealthyCanaryHoldsInconclusiveThenIsPromotedOnceShownWithinTheMargin() {
    engine.setRollouts(rollouts(JUDGED), T0);
    run(3, 100, 0.005);
    Verdict early = verdict();
    assertThat(early.decision()).isEqualTo(Verdict.Decision.HOLD);
    Verdict.CriterionStatus within = early.promote().get(0);
    assertThat(within.truth()).isEqualTo(Truth.FALSE);
    assertThat(within.judge().reading().requestsNeeded()).isPositive();
    assertThat(early.reasons().get(0))
        .startsWith("within_baseline(p95, 10%): inconclusive")
        .contains("more canary requests");

    run(600, 100, 0.005);
    Verdict later = verdict();
    assertThat(later.decision()).isEqualTo(Verdict.Decision.PROMOTE);
    long shownAt = later.promote().get(0).judge().decidedAtMillis();
    assertThat(shownAt).isPositive();
    // promoted once shown and the stage's 2 min passed, whichever came later
    assertThat(later.sinceMillis()).isEqualTo(Math.max(shownAt, T0 + 120_000));
    assertThat(events).isEmpty();
  }

  @Test
  void theJudgeCountsTheWholeStageEvenPastMaxWindow() {
    engine.setRollouts(rollouts(JUDGED), T0);
    run(70 * 60, 100, 0.005); // 70 min of a healthy canary: past the 1 h max_window
    Verdict.CriterionStatus errors = verdict().rollback().get(1);
    CanaryJudge.Reading r = errors.judge().reading();
    // every request of the stage (each second is complete when it is evaluated): nothing slid
    // out of the 1 h window
    assertThat(r.canaryRequests()).isEqualTo(10L * 70 * 60);
    assertThat(r.baselineRequests()).isEqualTo(90L * 70 * 60);
    assertThat(verdict().decision()).isNotEqualTo(Verdict.Decision.ROLLBACK);
  }

  @Test
  void preAggregatedBucketsTooCoarseForTheMarginAreNotWeighed() {
    engine.setRollouts(rollouts(JUDGED), T0);
    io.rollguard.window.BucketBounds bounds =
        io.rollguard.window.BucketBounds.explicit(
            new double[] {
              50_000, 100_000, 250_000, 500_000, io.rollguard.window.BucketBounds.UNBOUNDED
            });
    for (int s = 0; s < 120; s++) {
      for (String stage : List.of("stable", "canary")) {
        io.rollguard.window.BucketedLatency buckets =
            new io.rollguard.window.BucketedLatency(bounds);
        int n = stage.equals("stable") ? 90 : 10;
        buckets.add(75_000, n * 9 / 10, 100_000);
        buckets.add(175_000, n / 10, 250_000);
        registry
            .requests(Labels.of(Map.of("service", "checkout", "stage", stage)))
            .recordBuckets(clock.wallTimeMillis(), buckets, 0, clock.wallTimeMillis(), scratch);
      }
      clock.advance(Duration.ofSeconds(1));
      events.addAll(engine.tick(clock.wallTimeMillis()));
    }
    Verdict.CriterionStatus latency = verdict().rollback().get(0);
    assertThat(latency.truth()).isEqualTo(Truth.NO_DATA);
    assertThat(latency.judge().reading().unusable()).contains("pre-aggregated buckets");
    assertThat(latency.valueText()).startsWith("no data: the latencies near the thresholds");
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
  }

  @Test
  void judgesBelongInRolloutsUnderTheRightHeading() {
    RuleLoader.Result rule =
        RuleLoader.load(
            List.of(
                new RuleLoader.Source(
                    "r.yaml",
                    """
                    rules:
                      - name: x
                        select: {service: checkout}
                        when: worse_than_baseline(p95, 10%)
                    rollouts:
                      - name: y
                        select: {service: checkout}
                        baseline: {stage: stable}
                        stages: [{name: canary}]
                        promote_when: ["worse_than_baseline(p95, 10%)"]
                        rollback_when: ["worse_than_baseline(error_rate, 5%) and p95 > 1s"]
                      - name: z
                        select: {service: checkout}
                        stages: [{name: canary}]
                        rollback_when:
                          - worse_than_baseline(p95, 10%)
                      - name: w
                        select: {service: checkout}
                        baseline: {stage: stable}
                        stages: [{name: canary}]
                        rollback_when: [worse_than_baseline(p95, 10%)]
                    """)),
            Duration.ofHours(1),
            null);
    String problems = rule.problems().format();
    assertThat(problems)
        .contains("r.yaml:4:")
        .contains("use it in a rollout's rollback_when or promote_when")
        .contains("promote_when takes within_baseline(...)")
        .contains("is a rollout criterion on its own")
        .contains("needs the rollout's 'baseline:' selector")
        .contains("in a YAML flow list [a, b] the comma splits the criterion, so quote it");
  }
}
