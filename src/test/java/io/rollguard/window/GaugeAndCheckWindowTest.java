package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GaugeAndCheckWindowTest {

  private static final long T0 = 1_763_900_000_000L;
  private static final long MINUTE = 60_000;
  private final WindowSettings settings = WindowSettings.defaults();

  @Test
  void aGaugeReportsTheLatestPointAndStatsOverTheWindow() {
    GaugeWindow gauge = new GaugeWindow("test_pass_rate", Labels.of("service", "s"), settings);
    gauge.record(T0, 0.99, T0);
    gauge.record(T0 + 20_000, 0.95, T0 + 20_000);
    // A late point (observed before the latest) does not become "last".
    gauge.record(T0 + 10_000, 0.90, T0 + 25_000);

    GaugeAccumulator acc = new GaugeAccumulator();
    gauge.addTo(acc, T0 + 30_000, MINUTE);
    GaugeStats stats = acc.stats();
    assertThat(stats.last()).isEqualTo(0.95);
    assertThat(stats.lastTsMillis()).isEqualTo(T0 + 20_000);
    assertThat(stats.min()).isEqualTo(0.90);
    assertThat(stats.max()).isEqualTo(0.99);
    assertThat(stats.avg())
        .isCloseTo((0.99 + 0.95 + 0.90) / 3, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(stats.points()).isEqualTo(3);

    // t0+75s: only the t0+20s point is inside the last minute.
    GaugeAccumulator later = new GaugeAccumulator();
    gauge.addTo(later, T0 + 75_000, MINUTE);
    assertThat(later.stats().points()).isEqualTo(1);
    assertThat(later.stats().min()).isEqualTo(0.95);

    GaugeAccumulator none = new GaugeAccumulator();
    gauge.addTo(none, T0 + 10 * MINUTE, MINUTE);
    assertThat(none.stats().last()).isNaN();
  }

  @Test
  void aCheckCountsTrailingConsecutiveFailuresInTimeOrder() {
    CheckWindow check = new CheckWindow("db", Labels.of("service", "s"), settings);
    check.record(T0, true, T0);
    check.record(T0 + 1_000, false, T0 + 1_000);
    check.record(T0 + 3_000, false, T0 + 3_000);
    // Arrives last but was observed between the two failures: still ordered by time.
    check.record(T0 + 2_000, false, T0 + 4_000);

    CheckStats stats = check.stats(T0 + 5_000, MINUTE);
    assertThat(stats.results()).isEqualTo(4);
    assertThat(stats.failures()).isEqualTo(3);
    assertThat(stats.consecutiveFailures()).isEqualTo(3);
    assertThat(stats.failureRatio()).isEqualTo(0.75);

    check.record(T0 + 6_000, true, T0 + 6_000);
    assertThat(check.stats(T0 + 7_000, MINUTE).consecutiveFailures()).isZero();

    // Only results inside the window count.
    assertThat(check.stats(T0 + 62_500, MINUTE).results()).isEqualTo(2);
    assertThat(check.stats(T0 + 10 * MINUTE, MINUTE).failureRatio()).isNaN();
  }

  @Test
  void aCheckKeepsAtMostItsCapOfResults() {
    CheckWindow check = new CheckWindow("db", Labels.of("service", "s"), settings);
    for (int i = 0; i < CheckWindow.MAX_RESULTS + 100; i++) {
      check.record(T0 + i, i % 2 == 0, T0 + i);
    }
    assertThat(check.stats(T0 + 10_000, MINUTE).results()).isEqualTo(CheckWindow.MAX_RESULTS);
  }
}
