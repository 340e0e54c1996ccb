package io.rollguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.Problems;
import io.rollguard.window.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutAndSloLoaderTest {

  private static RuleLoader.Result load(String text) {
    return RuleLoader.load(
        List.of(new RuleLoader.Source("r.yaml", text)),
        Duration.ofHours(1),
        Set.of("rollback", "pagerduty", "slack"));
  }

  private static List<String> problems(RuleLoader.Result result) {
    return result.problems().list().stream().map(Problems.Problem::toString).toList();
  }

  private static final String SPEC_ROLLOUT =
      """
      rollouts:
        - name: checkout
          select: {service: checkout}
          stage_label: stage
          baseline: {stage: stable}
          window: 5m
          stages:
            - {name: canary,   traffic: 10%, min_duration: 10m}
            - {name: gradual,  traffic: 50%, min_duration: 10m}
            - {name: majority, traffic: 80%, min_duration: 10m}
            - {name: full,     traffic: 100%}
          promote_when:
            - p95 < 200ms
            - error_rate < 0.1%
            - gauge("test_pass_rate") >= 98%
          rollback_when:
            - {when: error_rate > 1%, for: 5m}
            - {when: consecutive_failures("health") >= 5}
            - {when: p95 > 1.10 * baseline(p95), consecutive: 3, min_samples: 200}
          notify: [rollback, pagerduty]
      """;

  @Test
  void theSpecsRolloutLoads() {
    RuleLoader.Result result = load(SPEC_ROLLOUT);

    assertThat(problems(result)).isEmpty();
    Rollout r = result.rollouts().get(0);
    assertThat(r.stages())
        .extracting(Rollout.Stage::name, Rollout.Stage::traffic, Rollout.Stage::minDuration)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("canary", 0.1, Duration.ofMinutes(10)),
            org.assertj.core.groups.Tuple.tuple("gradual", 0.5, Duration.ofMinutes(10)),
            org.assertj.core.groups.Tuple.tuple("majority", 0.8, Duration.ofMinutes(10)),
            org.assertj.core.groups.Tuple.tuple("full", 1.0, Duration.ZERO));
    assertThat(r.promoteWhen()).extracting(Rollout.Criterion::text).hasSize(3);
    Rollout.Criterion baseline = r.rollbackWhen().get(2);
    assertThat(baseline.consecutive()).isEqualTo(3);
    assertThat(baseline.minSamples()).isEqualTo(200);
    assertThat(r.rollbackWhen().get(0).forDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(r.severity()).isEqualTo(Severity.CRITICAL);
    // The live stage narrows the selector; the baseline overrides the stage.
    Labels canary = Labels.of(Map.of("service", "checkout", "stage", "canary"));
    Labels stable = Labels.of(Map.of("service", "checkout", "stage", "stable"));
    assertThat(r.stageSelector("canary").matches(canary)).isTrue();
    assertThat(r.stageSelector("gradual").matches(canary)).isFalse();
    assertThat(r.baselineSelector().matches(stable)).isTrue();
    assertThat(r.baselineSelector().matches(canary)).isFalse();
  }

  @Test
  void rolloutMistakesAreReportedWhereTheyAre() {
    RuleLoader.Result result =
        load(
            """
            rollouts:
              - name: checkout
                select: {service: checkout}
                stages:
                  - {name: canary, traffic: 50%}
                  - {name: canary, traffic: 10%}
                promote_when:
                  - p95 < 1%
                rollback_when:
                  - {when: p95 > 1.1 * baseline(p95), for: 5m, every: 1s}
                notify: [webhook]
            """);

    assertThat(problems(result))
        .containsExactly(
            "r.yaml:6:16: duplicate stage 'canary'",
            "r.yaml:6:33: stages must not take less traffic than the one before",
            "r.yaml:8:13: cannot compare a duration (p95) with a ratio (1%)",
            "r.yaml:10:16: baseline(...) needs the rollout's 'baseline:' selector",
            "r.yaml:10:52: unknown key 'every' (expected one of: when, for, consecutive, min_samples)",
            "r.yaml:11:13: unknown receiver 'webhook' (configured: pagerduty, rollback, slack)");
  }

  @Test
  void anSloGetsTheWorkbooksTiersByDefault() {
    RuleLoader.Result result =
        load(
            """
            slos:
              - name: checkout-availability
                select: {service: checkout}
                objective: 99.9%
                period: 30d
                good: ok and latency < 300ms
                page: [pagerduty, slack]
                ticket: [slack]
            """);

    assertThat(problems(result)).isEmpty();
    Slo slo = result.slos().get(0);
    assertThat(slo.objective()).isEqualTo(0.999);
    assertThat(slo.errorBudget()).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(slo.good()).isEqualTo(new Slo.Good(true, 300_000));
    assertThat(slo.tiers())
        .extracting(Slo.BurnTier::name, Slo.BurnTier::severity, Slo.BurnTier::receivers)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "page", Severity.CRITICAL, List.of("pagerduty", "slack")),
            org.assertj.core.groups.Tuple.tuple("ticket", Severity.WARNING, List.of("slack")));
    assertThat(slo.tiers().get(0).windows())
        .containsExactly(
            new Slo.BurnWindow(Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
            new Slo.BurnWindow(Duration.ofHours(6), Duration.ofMinutes(30), 6));
    assertThat(slo.tiers().get(1).windows())
        .containsExactly(
            new Slo.BurnWindow(Duration.ofDays(1), Duration.ofHours(2), 3),
            new Slo.BurnWindow(Duration.ofDays(3), Duration.ofHours(6), 1));
  }

  @Test
  void ownTiersReplaceTheDefaultsAndAnEmptyListSwitchesThemOff() {
    RuleLoader.Result result =
        load(
            """
            slos:
              - name: slow-only
                objective: 99%
                period: 7d
                good: latency <= 1s
                tiers:
                  - name: slow
                    notify: [slack]
                    windows: [{long: 2d, short: 4h, burn_rate: 2}]
                  - name: fast
                    severity: critical
                    windows: [{long: 30m, short: 2m, burn_rate: 20}]
              - name: quiet
                objective: 99%
                tiers: []
            """);

    assertThat(problems(result)).isEmpty();
    Slo own = result.slos().get(0);
    assertThat(own.good()).isEqualTo(new Slo.Good(false, 1_000_001));
    assertThat(own.tiers()).extracting(Slo.BurnTier::name).containsExactly("fast", "slow");
    assertThat(result.slos().get(1).tiers()).isEmpty();
  }

  @Test
  void sloMistakesAreReportedWhereTheyAre() {
    RuleLoader.Result result =
        load(
            """
            slos:
              - name: a
                objective: 99.9
                period: 60d
                good: ok or latency < 1s
              - name: b
                objective: 99%
                period: 1d
                page: [slack]
                tiers:
                  - {name: t, windows: [{long: 3d, short: 6h, burn_rate: 1}]}
            rules:
              - {name: a, when: p95 > 1s}
            """);

    assertThat(problems(result))
        .containsExactly(
            "r.yaml:2:5: duplicate name 'a' for an SLO (also defined at r.yaml:13:5; rules,"
                + " rollouts and SLOs share one namespace)",
            "r.yaml:3:16: 'objective' must be between 50% and 99.999%, got 99.9",
            "r.yaml:4:13: 'period' must be between 1h and 30d, got 60d",
            "r.yaml:5:11: 'good' must be 'ok', 'latency < 300ms' or both joined by 'and', got 'ok"
                + " or latency < 1s'",
            "r.yaml:6:5: tier 't': window 3d is longer than the period 1d",
            "r.yaml:11:7: 'tiers' replaces the default page and ticket tiers: give their"
                + " receivers inside it");
  }
}
