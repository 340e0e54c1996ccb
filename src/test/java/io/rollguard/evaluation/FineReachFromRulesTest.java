package io.rollguard.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.ManualClock;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Request windows keep 1 s slices as far back as the longest window up to 15 min rules read. */
class FineReachFromRulesTest {

  private static RuleLoader.Result rules(String yaml) {
    RuleLoader.Result result =
        RuleLoader.load(List.of(new RuleLoader.Source("r.yaml", yaml)), Duration.ofHours(1), null);
    assertThat(result.valid()).as("%s", result.problems()).isTrue();
    return result;
  }

  @Test
  void theLongestWindowUpTo15MinutesSetsTheReachAndAReloadMovesIt() {
    SeriesRegistry registry =
        new SeriesRegistry(
            WindowSettings.of(Duration.ofHours(1), Duration.ofSeconds(10)), 1_000, 1_000);
    Evaluation evaluation =
        new Evaluation(registry, Duration.ofSeconds(1), Duration.ofSeconds(10), new ManualClock(0));
    assertThat(registry.fineReach().reach()).isEqualTo(Duration.ofMinutes(1));

    evaluation.load(
        rules(
            "rules:\n"
                + "  - {name: a, select: {service: s}, window: 5m, when: p95 > 1s}\n"
                + "  - {name: b, select: {service: s}, window: 2m, when: error_rate > 1%}\n"
                + "  - {name: c, select: {service: s}, window: 1h, when: error_rate > 5%}\n"),
        0);
    // The 1 h rule reads coarse slices at its far edge anyway; the 5 min one sets the reach.
    assertThat(registry.fineReach().reach()).isEqualTo(Duration.ofMinutes(5));

    evaluation.load(
        rules("rules:\n  - {name: a, select: {service: s}, window: 30s, when: p95 > 1s}\n"), 1_000);
    assertThat(registry.fineReach().reach()).isEqualTo(Duration.ofMinutes(1)); // never below 1 min

    evaluation.load(
        rules("rules:\n  - {name: a, select: {service: s}, window: 15m, when: p95 > 1s}\n"), 2_000);
    assertThat(registry.fineReach().reach()).isEqualTo(Duration.ofMinutes(15));
  }
}
