package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SloCountsTest {

  private static final long T0 = 1_763_900_000_000L; // a whole 10 s
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private final SeriesRegistry registry =
      new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
  private final LatencyScratch scratch = new LatencyScratch();
  private final RequestSamples samples = new RequestSamples();
  private final SloCounts okAndFast = okAndFasterThan300ms();

  /** Checkout's requests that are ok and faster than 300 ms, over 30 days. */
  private static SloCounts okAndFasterThan300ms() {
    return new SloCounts(
        Selector.parse(Map.of("service", "checkout")),
        true,
        300_000,
        Duration.ofDays(30).toMillis(),
        10_000);
  }

  private void record(Labels series, long tsMillis, double latencyMillis, boolean error) {
    samples.clear();
    samples.add(tsMillis, Latency.millisToMicros(latencyMillis), error);
    registry.requests(series).record(samples, 0, 1, tsMillis, scratch);
  }

  private static final Labels CHECKOUT = Labels.of(Map.of("service", "checkout"));

  @Test
  void goodMeansOkAndStrictlyFasterThanTheLimitToTheMicrosecond() {
    registry.sloTaps().set(List.of(okAndFast));

    // t0: 299.999 ms ok (good), 300 ms ok (bad: not below), 10 ms failed (bad).
    record(CHECKOUT, T0, 299.999, false);
    record(CHECKOUT, T0, 300.0, false);
    record(CHECKOUT, T0 + 1, 10, true);
    // Another service is not counted.
    record(Labels.of(Map.of("service", "search")), T0, 1, false);

    assertThat(okAndFast.totals(T0 + 5_000, 5 * MINUTE)).isEqualTo(new SloCounts.Totals(1, 3));
  }

  @Test
  void windowsAreReadAtTheResolutionThatSpansThem() {
    registry.sloTaps().set(List.of(okAndFast));
    // One good request every hour for 40 days, and one bad one at the last hour.
    for (long t = T0 - 40 * DAY; t <= T0; t += HOUR) {
      record(CHECKOUT, t, 10, false);
    }
    record(CHECKOUT, T0, 10, true);

    // 5 min (10 s slices): the last hour's two requests.
    assertThat(okAndFast.totals(T0 + MINUTE, 5 * MINUTE)).isEqualTo(new SloCounts.Totals(1, 2));
    // 1 day (5 min slices): 24 hourly requests plus the failure.
    assertThat(okAndFast.totals(T0 + MINUTE, DAY)).isEqualTo(new SloCounts.Totals(24, 25));
    // 30 days (1 h slices, kept only for the period): 720 plus the failure.
    assertThat(okAndFast.totals(T0 + MINUTE, 30 * DAY)).isEqualTo(new SloCounts.Totals(720, 721));
    // Later, the 5 min window is empty again.
    assertThat(okAndFast.totals(T0 + 10 * MINUTE, 5 * MINUTE))
        .isEqualTo(new SloCounts.Totals(0, 0));
  }

  @Test
  void lateSamplesLandInTheSliceOfTheirOwnTimeStamp() {
    registry.sloTaps().set(List.of(okAndFast));
    record(CHECKOUT, T0 + 2 * MINUTE, 10, false);
    // A sample stamped 3 minutes earlier arrives after it.
    record(CHECKOUT, T0 - MINUTE, 10, true);

    assertThat(okAndFast.totals(T0 + 2 * MINUTE, 2 * MINUTE)).isEqualTo(new SloCounts.Totals(1, 1));
    assertThat(okAndFast.totals(T0 + 2 * MINUTE, 5 * MINUTE)).isEqualTo(new SloCounts.Totals(1, 2));
  }

  @Test
  void seriesCreatedBeforeTheSloAndAfterItBothFeedIt() {
    record(CHECKOUT, T0, 10, false); // before the SLO exists: not counted
    registry.sloTaps().set(List.of(okAndFast));
    record(CHECKOUT, T0 + 1_000, 10, false);
    record(Labels.of(Map.of("service", "checkout", "stage", "canary")), T0 + 1_000, 10, false);

    assertThat(okAndFast.totals(T0 + 2_000, MINUTE)).isEqualTo(new SloCounts.Totals(2, 2));
  }

  @Test
  void preAggregatedHistogramsCountAConservativeLowerBound() {
    registry.sloTaps().set(List.of(okAndFast));
    Histogram h = Latency.newHistogram();
    h.recordValueWithCount(100_000, 90); // 100 ms
    h.recordValueWithCount(900_000, 10); // 900 ms
    // 5 of the 100 failed; which ones is not said, so they are taken from the fast ones.
    registry.requests(CHECKOUT).recordHistogram(T0, h, 5, T0, scratch);

    assertThat(okAndFast.totals(T0 + 1_000, MINUTE)).isEqualTo(new SloCounts.Totals(85, 100));
  }

  @Test
  void exportedCountsRestoreIntoFreshCountsWithTheSameTotals() {
    registry.sloTaps().set(List.of(okAndFast));
    for (long t = T0 - 3 * DAY; t <= T0; t += 7 * MINUTE) {
      record(CHECKOUT, t, t % 3 == 0 ? 900 : 10, t % 5 == 0);
    }
    SloCounts fresh = okAndFasterThan300ms();

    fresh.restore(okAndFast.export());

    for (long window : new long[] {5 * MINUTE, HOUR, 6 * HOUR, DAY, 3 * DAY, 30 * DAY}) {
      assertThat(fresh.totals(T0, window)).isEqualTo(okAndFast.totals(T0, window));
    }
    assertThat(fresh.totals(T0, 3 * DAY).total()).isGreaterThan(600);
  }
}
