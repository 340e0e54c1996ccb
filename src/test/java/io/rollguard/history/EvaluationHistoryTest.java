package io.rollguard.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.ManualClock;
import io.rollguard.rules.Rule;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The history keeps what the evaluation decided, for its retention, within its track cap. */
class EvaluationHistoryTest {

  private static final long T0 = 1_763_900_000_000L;

  private final SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 100, 100);
  private final ManualClock clock = new ManualClock(T0);
  private final RuleEngine engine = new RuleEngine(registry, Duration.ofSeconds(1), clock);
  private final LatencyScratch scratch = new LatencyScratch();

  private static List<Rule> rules(String yaml) {
    RuleLoader.Result result =
        RuleLoader.load(List.of(new RuleLoader.Source("r.yaml", yaml)), Duration.ofHours(1), null);
    assertThat(result.valid()).as(result.problems().format()).isTrue();
    return result.rules();
  }

  private void push(String stage, long at, int n, boolean failed) {
    RequestSamples samples = new RequestSamples();
    for (int i = 0; i < n; i++) {
      samples.add(at, 10_000, failed);
    }
    registry
        .requests(Labels.of("service", "checkout", "stage", stage))
        .record(samples, 0, n, at, scratch);
  }

  @Test
  void keepsValuesThresholdsAndStateChangesPerInstanceForTheRetention() {
    engine.setRules(
        rules(
            """
            rules:
              - name: errors
                select: {service: checkout}
                by: [stage]
                window: 10s
                when: error_rate > 10%
                for: 3s
            """),
        T0);
    EvaluationHistory history = new EvaluationHistory(60_000, 10);
    for (int s = 0; s < 100; s++) {
      long now = T0 + s * 1_000L;
      push("canary", now, 10, s >= 20 && s < 40); // fails from 20 s to 40 s
      engine.tick(now);
      history.record(engine.snapshot());
    }
    List<EvaluationHistory.InstanceHistory> instances = history.rule("errors");
    assertThat(instances).hasSize(1);
    EvaluationHistory.InstanceHistory canary = instances.get(0);
    assertThat(canary.labels()).containsEntry("stage", "canary");
    // one point per evaluation, the last 60 s only
    assertThat(canary.times()).hasSize(60);
    assertThat(canary.times()[0]).isEqualTo(T0 + 40_000);
    assertThat(canary.times()[59]).isEqualTo(T0 + 99_000);
    assertThat(canary.thresholds()[0]).isEqualTo(0.1f);
    // at 40 s the 10 s window still holds 9 failing seconds of 10
    assertThat(canary.values()[0]).isEqualTo(0.9f);
    assertThat(canary.values()[59]).isEqualTo(0.0f);
    // the changes are kept although their points have left the retention
    assertThat(canary.transitions())
        .extracting(EvaluationHistory.Transition::to)
        .containsExactly(Phase.PENDING, Phase.FIRING, Phase.INACTIVE);
    assertThat(canary.transitions().get(0).atMillis()).isEqualTo(T0 + 21_000);
    assertThat(canary.transitions().get(1).atMillis()).isEqualTo(T0 + 24_000);
    assertThat(canary.phases()[0]).isEqualTo(Phase.FIRING);
    assertThat(canary.phases()[59]).isEqualTo(Phase.INACTIVE);
    assertThat(history.rule("nonexistent")).isNull();
    // since: only the points after it, all the changes still
    EvaluationHistory.InstanceHistory recent = history.rule("errors", T0 + 90_000).get(0);
    assertThat(recent.times()).hasSize(9).startsWith(T0 + 91_000);
    assertThat(recent.values()).hasSize(9);
    assertThat(recent.transitions()).hasSize(3);
  }

  @Test
  void aRuleEvaluatedEveryTenSecondsGetsAPointPerEvaluation() {
    engine.setRules(
        rules(
            """
            rules:
              - name: slow
                select: {service: checkout}
                window: 10s
                every: 10s
                when: p95 > 5ms
            """),
        T0);
    EvaluationHistory history = new EvaluationHistory(3_600_000, 10);
    for (int s = 0; s < 60; s++) {
      long now = T0 + s * 1_000L;
      push("canary", now, 1, false);
      engine.tick(now);
      history.record(engine.snapshot());
    }
    long[] times = history.rule("slow").get(0).times();
    assertThat(times).hasSize(6);
    assertThat(times[1] - times[0]).isEqualTo(10_000);
  }

  @Test
  void tracksAreCappedAndFreedWhenTheirInstancesGoAway() {
    engine.setRules(
        rules(
            """
            rules:
              - name: errors
                select: {service: checkout}
                by: [stage]
                window: 5s
                when: error_rate > 10%
            """),
        T0);
    EvaluationHistory history = new EvaluationHistory(60_000, 2);
    for (String stage : List.of("a", "b", "c")) {
      push(stage, T0, 1, false);
    }
    engine.tick(T0);
    history.record(engine.snapshot());
    assertThat(history.tracks()).isEqualTo(2);
    assertThat(history.untracked()).isEqualTo(1);
    assertThat(history.rule("errors")).hasSize(2);

    // the rule goes away: a minute later its tracks are dropped and their room is free again
    engine.setRules(List.of(), T0 + 1_000);
    engine.tick(T0 + 61_001);
    history.record(engine.snapshot());
    assertThat(history.tracks()).isZero();
    assertThat(history.rule("errors")).isNull();
    assertThat(history.footprintBytes()).isZero();
  }

  @Test
  void evaluationsFasterThanASecondKeepAPointASecondAndEveryChange() {
    engine.setRules(
        rules(
            """
            rules:
              - name: errors
                select: {service: checkout}
                window: 5s
                when: error_rate > 10%
            """),
        T0);
    EvaluationHistory history = new EvaluationHistory(60_000, 1);
    for (int k = 0; k < 10 * 120; k++) { // every 100 ms for 2 min
      long now = T0 + k * 100L;
      if (k % 10 == 0) {
        push("canary", now, 10, k >= 300 && k < 600); // fails from 30 s to 60 s
      }
      engine.tick(now);
      history.record(engine.snapshot());
    }
    EvaluationHistory.InstanceHistory h = history.rule("errors").get(0);
    // a minute of retention at about a point a second, plus the points where the state changed
    assertThat(h.times().length).isBetween(60, 70);
    assertThat(h.transitions()).extracting(EvaluationHistory.Transition::to).contains(Phase.FIRING);
    assertThat(history.footprintBytes()).isLessThan(17L * 256 + 10_000);
  }

  @Test
  void aTrackGrowsToWhatItsRetentionHoldsAndNoFurther() {
    EvaluationHistory history = new EvaluationHistory(3_600_000, 1);
    engine.setRules(
        rules(
            """
            rules:
              - name: errors
                select: {service: checkout}
                window: 5s
                when: error_rate > 10%
            """),
        T0);
    long bytesAtOneHour = 0;
    for (int s = 0; s < 3 * 3_600; s++) {
      long now = T0 + s * 1_000L;
      engine.tick(now);
      history.record(engine.snapshot());
      if (s == 3_600) {
        bytesAtOneHour = history.footprintBytes();
      }
    }
    assertThat(history.rule("errors").get(0).times()).hasSize(3_600);
    // 3,600 points fit a ring of 4,096 at 17 bytes each; it stopped growing after the first hour
    assertThat(history.footprintBytes()).isEqualTo(bytesAtOneHour).isLessThan(80_000);
    Map<String, String> labels = history.rule("errors").get(0).labels();
    assertThat(labels).containsEntry("service", "checkout");
  }
}
