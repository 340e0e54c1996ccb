package io.rollguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.Phase;
import io.rollguard.clock.ManualClock;
import io.rollguard.rules.Rollout;
import io.rollguard.rules.Truth;
import io.rollguard.rules.ValidRuleFile;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine over real windows on a manual clock, one evaluation a second. */
class RolloutEngineTest {

  private static final long T0 = 1_763_900_000_000L;

  private final ManualClock clock = new ManualClock(T0);
  private final SeriesRegistry registry =
      new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
  private final RolloutEngine engine = new RolloutEngine(registry, Duration.ofSeconds(1));
  private final LatencyScratch scratch = new LatencyScratch();
  private final List<AlertEvent> events = new ArrayList<>();

  private static final String CHECKOUT =
      """
      rollouts:
        - name: checkout
          select: {service: checkout}
          baseline: {stage: stable}
          window: 1m
          min_samples: 50
          stages:
            - {name: canary, traffic: 10%, min_duration: 2m}
            - {name: gradual, traffic: 50%, min_duration: 2m}
            - {name: full, traffic: 100%}
          promote_when:
            - p95 < 200ms
            - error_rate < 1%
          rollback_when:
            - {when: error_rate > 5%, for: 30s}
            - {when: p95 > 1.10 * baseline(p95), consecutive: 3, min_samples: 100}
          notify: [rollback]
      """;

  private static List<Rollout> rollouts(String yaml) {
    return ValidRuleFile.load(yaml).rollouts();
  }

  private static Labels stage(String stage) {
    return Labels.of(Map.of("service", "checkout", "stage", stage));
  }

  /** Pushes {@code n} requests of {@code latencyMillis} to {@code stage} at the clock's time. */
  private void push(String stage, int n, double latencyMillis, int failed) {
    RequestSamples samples = new RequestSamples();
    for (int i = 0; i < n; i++) {
      samples.add(clock.wallTimeMillis(), Math.round(latencyMillis * 1000), i < failed);
    }
    registry.requests(stage(stage)).record(samples, 0, n, clock.wallTimeMillis(), scratch);
  }

  /** {@code seconds} seconds of traffic: the baseline at 100 ms, the stage as given; ticks. */
  private void run(int seconds, String stage, double latencyMillis, int failedPer10) {
    for (int s = 0; s < seconds; s++) {
      push("stable", 10, 100, 0);
      push(stage, 10, latencyMillis, failedPer10);
      clock.advance(Duration.ofSeconds(1));
      events.addAll(engine.tick(clock.wallTimeMillis()));
    }
  }

  private Verdict verdict() {
    return engine.verdicts().get("checkout");
  }

  @Test
  void aHealthyCanaryIsPromotedOnceItsCriteriaHeldForMinDuration() {
    engine.setRollouts(rollouts(CHECKOUT), T0);

    // t0..t+4s: 40 canary requests, under min_samples 50: no data decides nothing.
    run(4, "canary", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    assertThat(verdict().stage()).isEqualTo("canary");
    assertThat(verdict().stageSet()).isFalse();
    assertThat(verdict().reasons())
        .contains("p95 < 200ms: not enough data in 1m (p95 over 40 requests; min_samples 50)");

    // t+5s: 50 requests, both criteria hold; the stage's min_duration (2m) is still running.
    run(1, "canary", 100, 0);
    assertThat(verdict().promote())
        .extracting(Verdict.CriterionStatus::truth)
        .containsOnly(Truth.TRUE);
    run(60, "canary", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    assertThat(verdict().reasons())
        .containsExactly("promotion criteria have held for 1m of the stage's min_duration 2m");

    // t+2m5s: held for 2 minutes without a break: promote.
    run(60, "canary", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.PROMOTE);
    assertThat(verdict().sinceMillis()).isEqualTo(clock.wallTimeMillis());
    assertThat(verdict().reasons())
        .containsExactly("all 2 promotion criteria held for 2m at stage canary (min_duration 2m)");
    assertThat(verdict().nextStage().name()).isEqualTo("gradual");
    assertThat(events).isEmpty();
  }

  @Test
  void aBreakInTheCriteriaStartsMinDurationOver() {
    engine.setRollouts(rollouts(CHECKOUT), T0);
    run(90, "canary", 100, 0);
    // t+90s..t+100s: 1 in 10 fails; the 1m error rate (10 of 590) breaks error_rate < 1%, but stays
    // under the rollback's 5%.
    run(10, "canary", 100, 1);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    assertThat(verdict().reasons()).containsExactly("error_rate < 1% does not hold (1.69%)");
    assertThat(verdict().promoteHoldingSinceMillis()).isZero();
    // Healthy again: the clock starts over once the window no longer holds the failures (t+159s),
    // so at t+250s it has run 1.5 of 2 minutes, and at t+290s the canary is promoted.
    run(150, "canary", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    run(40, "canary", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.PROMOTE);
  }

  @Test
  void aSlowerCanaryIsRolledBackOnceAndStaysRolledBackUntilANewAttempt() {
    engine.setRollouts(rollouts(CHECKOUT), T0);
    // The canary answers in 250 ms, 2.5x the baseline's 100 ms.
    run(9, "canary", 250, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD); // 90 requests < 100
    run(2, "canary", 250, 0);
    // 100 samples on each side at t+10s, then 3 evaluations in a row: pending, pending...
    assertThat(verdict().rollback().get(1).phase()).isEqualTo(Phase.PENDING);
    assertThat(verdict().reasons())
        .anyMatch(r -> r.startsWith("rollback criterion p95 > 1.10 * baseline(p95) has held for"));
    run(1, "canary", 250, 0);

    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.ROLLBACK);
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.FIRING);
              assertThat(e.rule()).isEqualTo("checkout");
              assertThat(e.rollout()).isEqualTo(new AlertEvent.RolloutRef("checkout", "canary"));
              // what to roll back: the selection's exact values, the stage, the rollout
              assertThat(e.labels())
                  .isEqualTo(
                      Map.of("service", "checkout", "rollout", "checkout", "stage", "canary"));
              assertThat(e.source()).isEqualTo(AlertEvent.Source.ROLLOUT);
              assertThat(e.receivers()).isEqualTo(List.of("rollback"));
              assertThat(e.expr()).isEqualTo("p95 > 1.10 * baseline(p95)");
              assertThat(e.threshold()).startsWith("> (1.10 * baseline(p95)) = 110.");
              assertThat(e.reason()).startsWith("p95 > 1.10 * baseline(p95) held for 2s (25");
              assertThat(e.startedAtMillis()).isEqualTo(T0 + 10_000);
              assertThat(e.readings())
                  .extracting(r -> r.expr())
                  .containsExactly("p95", "baseline(p95)");
              assertThat(e.incidentId()).isEqualTo(verdict().incidentId());
            });

    // The canary recovers, but the verdict stays rollback and nobody is called again.
    run(120, "canary", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.ROLLBACK);
    assertThat(events).hasSize(1);

    // The deployer starts over at the canary: a new attempt; the rollback incident resolves.
    RolloutEngine.StageChange change =
        engine.setStage("checkout", "canary", clock.wallTimeMillis());
    assertThat(change.error()).isNull();
    assertThat(change.events())
        .satisfiesExactly(
            e -> {
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.RESOLVED);
              assertThat(e.incidentId()).isEqualTo(events.get(0).incidentId());
              assertThat(e.reason()).isEqualTo("a new attempt began at stage canary");
            },
            // and the stage change itself, for PagerDuty's change timeline
            e -> {
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.CHANGED);
              assertThat(e.rollout().stage()).isEqualTo("canary");
              assertThat(e.reason())
                  .isEqualTo("checkout moved to stage canary (10% of traffic), attempt 2");
            });
    assertThat(change.verdict().attempt()).isEqualTo(2);
    assertThat(change.verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    assertThat(change.verdict().incidentId()).isNull();
  }

  @Test
  void rollbackCriteriaKeepTheirOwnFor() {
    engine.setRollouts(rollouts(CHECKOUT), T0);
    run(60, "canary", 100, 0);
    // 1 in 10 fails from now on: the 1m error rate passes 5% after 31 s (31 of 600), and the
    // criterion fires 30 s later.
    run(35, "canary", 100, 1);
    assertThat(verdict().rollback().get(0).phase()).isEqualTo(Phase.PENDING);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    run(20, "canary", 100, 1);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    run(10, "canary", 100, 1);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.ROLLBACK);
    assertThat(events).singleElement().extracting(AlertEvent::expr).isEqualTo("error_rate > 5%");
  }

  @Test
  void settingTheStageStartsItAfreshAndSettingItAgainDoesNothing() {
    engine.setRollouts(rollouts(CHECKOUT), T0);
    run(125, "canary", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.PROMOTE);

    RolloutEngine.StageChange toGradual =
        engine.setStage("checkout", "gradual", clock.wallTimeMillis());
    assertThat(toGradual.verdict().stage()).isEqualTo("gradual");
    assertThat(toGradual.verdict().stageSinceMillis()).isEqualTo(clock.wallTimeMillis());
    // Nothing was pushed with stage=gradual yet: no data.
    assertThat(toGradual.verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    run(90, "gradual", 100, 0);
    long since = verdict().stageSinceMillis();
    // The deployer retries its PUT: nothing starts over.
    engine.setStage("checkout", "gradual", clock.wallTimeMillis());
    assertThat(verdict().stageSinceMillis()).isEqualTo(since);
    run(40, "gradual", 100, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.PROMOTE);
    assertThat(verdict().attempt()).isEqualTo(1);

    assertThat(engine.setStage("checkout", "everything", T0).error())
        .isEqualTo("rollout 'checkout' has no stage 'everything' (stages: canary, gradual, full)");
    assertThat(engine.setStage("search", "canary", T0).error())
        .isEqualTo("no rollout named 'search'");
  }

  @Test
  void aRolloutWithItsOwnEveryIsEvaluatedThatOftenSoConsecutiveCountsItsEvaluations() {
    engine.setRollouts(rollouts(CHECKOUT.replace("window: 1m", "window: 1m\n    every: 10s")), T0);
    // 2.5x slower from the start; 100 samples on each side from t+10s. Evaluations at t+10s,
    // t+20s, t+30s make the three in a row: the rollback comes at t+30s, not at t+12s.
    run(29, "canary", 250, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.HOLD);
    run(1, "canary", 250, 0);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.ROLLBACK);
    assertThat(verdict().evaluatedAtMillis()).isEqualTo(T0 + 30_000);
  }

  @Test
  void stagesAndRollbacksSurviveARestart() {
    engine.setRollouts(rollouts(CHECKOUT), T0);
    engine.setStage("checkout", "gradual", T0);
    run(35, "gradual", 100, 5);
    assertThat(verdict().decision()).isEqualTo(Verdict.Decision.ROLLBACK);
    List<RolloutEngine.SavedStage> saved = engine.saveState();

    RolloutEngine restarted = new RolloutEngine(registry, Duration.ofSeconds(1));
    restarted.setRollouts(rollouts(CHECKOUT), clock.wallTimeMillis());
    assertThat(restarted.restoreState(saved, clock.wallTimeMillis())).isZero();
    List<AlertEvent> after = restarted.tick(clock.wallTimeMillis() + 1_000);

    Verdict v = restarted.verdicts().get("checkout");
    assertThat(v.stage()).isEqualTo("gradual");
    assertThat(v.stageSinceMillis()).isEqualTo(T0);
    assertThat(v.decision()).isEqualTo(Verdict.Decision.ROLLBACK);
    assertThat(v.incidentId()).isEqualTo(verdict().incidentId());
    assertThat(after).isEmpty(); // no second rollback call after the restart
  }

  @Test
  void aRemovedRolloutResolvesItsRollback() {
    engine.setRollouts(rollouts(CHECKOUT), T0);
    run(40, "canary", 100, 5);
    assertThat(events).hasSize(1);

    List<AlertEvent> gone = engine.setRollouts(List.of(), clock.wallTimeMillis());

    assertThat(gone)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.RESOLVED);
              assertThat(e.reason()).isEqualTo("the rollout was removed");
            });
    assertThat(engine.verdicts()).isEmpty();
  }
}
