package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RequestWindowTest {

  private static final long T0 = 1_763_900_000_000L; // a whole second
  private static final long MINUTE = 60_000;

  private final WindowSettings settings = WindowSettings.defaults();
  private final LatencyScratch scratch = new LatencyScratch();
  private final RequestSamples samples = new RequestSamples();
  private final RequestWindow window =
      new RequestWindow(Labels.of("service", "checkout"), settings);

  private void record(long tsMillis, double latencyMillis, boolean error) {
    samples.clear();
    samples.add(tsMillis, Latency.millisToMicros(latencyMillis), error);
    window.record(samples, 0, 1, tsMillis, scratch);
  }

  private RequestStats stats(long nowMillis, long windowMillis) {
    RequestAccumulator acc = new RequestAccumulator();
    window.addTo(acc, nowMillis, windowMillis);
    return acc.stats(windowMillis);
  }

  @Test
  void samplesLeaveTheWindowOnceTheirSliceIsOlderThanIt() {
    // t0: one slow failure; t0+30s: one fast success.
    record(T0, 900, true);
    record(T0 + 30_000, 100, false);

    // t0+59.9s: both inside the 1 min window.
    RequestStats both = stats(T0 + 59_900, MINUTE);
    assertThat(both.count()).isEqualTo(2);
    assertThat(both.errors()).isEqualTo(1);
    assertThat(both.errorRate()).isEqualTo(0.5);
    assertThat(both.maxMillis()).isCloseTo(900, within(900 * Latency.QUANTILE_RELATIVE_ERROR));

    // t0+60s: the first slice has left the window.
    RequestStats later = stats(T0 + 60_000, MINUTE);
    assertThat(later.count()).isEqualTo(1);
    assertThat(later.errors()).isZero();
    assertThat(later.maxMillis()).isCloseTo(100, within(100 * Latency.QUANTILE_RELATIVE_ERROR));

    // t0+90s: nothing left; ratios and quantiles are no data, counts are zero.
    RequestStats empty = stats(T0 + 90_000, MINUTE);
    assertThat(empty.count()).isZero();
    assertThat(empty.requestRatePerSecond()).isZero();
    assertThat(empty.errorRate()).isNaN();
    assertThat(empty.p95Millis()).isNaN();
  }

  @Test
  void aLateSampleLandsInTheSliceOfItsOwnTimeStamp() {
    // t0+50s: a sample arrives that was observed at t0+5s.
    samples.clear();
    samples.add(T0 + 5_000, Latency.millisToMicros(250), false);
    window.record(samples, 0, 1, T0 + 50_000, scratch);

    // It counts in a window that covers t0+5s...
    assertThat(stats(T0 + 50_000, MINUTE).count()).isEqualTo(1);
    // ...and leaves with its slice at t0+65s, not a minute after it arrived.
    assertThat(stats(T0 + 65_000, MINUTE).count()).isZero();
  }

  @Test
  void aSampleLaterThanTheOpenSlicesIsMergedIntoItsSealedSlice() {
    // t0+5s and t0+50s: the t0+5s slice is sealed once the window has moved 45 s past it.
    record(T0 + 5_000, 100, false);
    record(T0 + 50_000, 200, false);
    // t0+51s: two more samples observed at t0+5s arrive (one with many of a kind, via scratch).
    samples.clear();
    for (int i = 0; i < 30; i++) {
      samples.add(T0 + 5_000, Latency.millisToMicros(300), true);
    }
    window.record(samples, 0, 30, T0 + 51_000, scratch);
    record(T0 + 5_000, 100, false);

    RequestStats stats = stats(T0 + 51_000, MINUTE);
    assertThat(stats.count()).isEqualTo(33);
    assertThat(stats.errors()).isEqualTo(30);
    assertThat(stats.minMillis()).isCloseTo(100, within(100 * Latency.QUANTILE_RELATIVE_ERROR));
    assertThat(stats.p50Millis()).isCloseTo(300, within(300 * Latency.QUANTILE_RELATIVE_ERROR));
    // t0+65s: the t0+5s slice, late additions and all, has left the window.
    assertThat(stats(T0 + 65_000, MINUTE).count()).isEqualTo(1);
  }

  @Test
  void theRingReusesSlotsWithoutLeakingOldSlices() {
    // Fifteen minutes and then some of one sample per second fills the fine ring more than once.
    for (long s = 0; s < 1_000; s++) {
      record(T0 + s * 1_000, 10 + s % 7, s % 10 == 0);
    }
    long now = T0 + 999_000;
    RequestStats lastMinute = stats(now, MINUTE);
    assertThat(lastMinute.count()).isEqualTo(60);
    assertThat(lastMinute.errors()).isEqualTo(6);
    assertThat(lastMinute.requestRatePerSecond()).isEqualTo(1.0);
    RequestStats fineSpan = stats(now, Duration.ofMinutes(15).toMillis());
    assertThat(fineSpan.count()).isEqualTo(900);
  }

  @Test
  void windowsReachingPastTheFineSlicesStartAtTheBoundaryOfTheCoarserSlicesHoldingTheirFarEdge() {
    // One sample a minute for 50 minutes.
    for (int m = 0; m < 50; m++) {
      record(T0 + m * MINUTE, 42, false);
    }
    long now = T0 + 49 * MINUTE + 30_000;
    long thirty = Duration.ofMinutes(30).toMillis();
    long nominal = now - thirty + 1_000 - Math.floorMod(now, 1_000L);
    long start = window.windowStartMillis(now, thirty);
    // 30 minutes back lies in the 5 min slices: the window starts at the next 5 min boundary.
    assertThat(Math.floorMod(start, 300_000L)).isZero();
    assertThat(start).isBetween(nominal, nominal + 300_000 - 1);
    long expected = 0;
    for (int m = 0; m < 50; m++) {
      expected += T0 + m * MINUTE >= start ? 1 : 0;
    }
    assertThat(stats(now, thirty).count()).isEqualTo(expected).isBetween(25L, 30L);
    assertThat(stats(now, Duration.ofHours(1).toMillis()).count()).isEqualTo(50);
    // The last minute is still held in 1 s slices: its window starts exactly a minute back.
    assertThat(window.windowStartMillis(now, MINUTE)).isEqualTo(nominal + thirty - MINUTE);
  }

  @Test
  void theRequestRateOfAWindowShortenedAtItsFarEdgeDividesByTheSpanItCovers() {
    // One request a second for an hour: every window's rate is 1/s, however its far edge rounds.
    for (long s = 0; s < 3_600; s++) {
      record(T0 + s * 1_000, 50, false);
    }
    long now = T0 + 3_599_000;
    for (long minutes : new long[] {1, 5, 17, 30, 59}) {
      long w = minutes * MINUTE;
      RequestStats stats = stats(now, w);
      long span = now + 1_000 - window.windowStartMillis(now, w);
      assertThat(span).isLessThanOrEqualTo(w);
      assertThat(stats.count()).as("%d min", minutes).isEqualTo(span / 1_000);
      assertThat(stats.requestRatePerSecond()).as("%d min", minutes).isEqualTo(1.0);
    }
  }

  @Test
  void aLongIdleStretchInADayLongWindowKeepsEverySampleWhereItBelongs() {
    WindowSettings day = WindowSettings.of(Duration.ofHours(24), Duration.ofSeconds(10));
    RequestWindow w = new RequestWindow(Labels.of("service", "s"), day);
    RequestAccumulator acc = new RequestAccumulator();
    for (long s = 0; s < 120; s++) {
      samples.clear();
      samples.add(T0 + s * 1_000, 1_000, s % 10 == 0);
      w.record(samples, 0, 1, T0 + s * 1_000, scratch);
    }
    long later = T0 + Duration.ofHours(23).toMillis(); // idle for 23 h, then one more sample
    samples.clear();
    samples.add(later, 1_000, false);
    w.record(samples, 0, 1, later, scratch);
    w.addTo(acc, later, Duration.ofHours(24).toMillis());
    assertThat(acc.count()).isEqualTo(121);
    assertThat(acc.errors()).isEqualTo(12);
    acc.reset();
    w.addTo(acc, later, Duration.ofMinutes(5).toMillis());
    assertThat(acc.count()).isEqualTo(1);
    // Past the longest window, everything old is gone.
    long muchLater = later + Duration.ofHours(25).toMillis();
    samples.clear();
    samples.add(muchLater, 1_000, false);
    w.record(samples, 0, 1, muchLater, scratch);
    acc.reset();
    w.addTo(acc, muchLater, Duration.ofHours(24).toMillis());
    assertThat(acc.count()).isEqualTo(1);
  }

  @Test
  void samplesOlderThanTheRingHoldsAreSkipped() {
    WindowSettings fiveMinutes = WindowSettings.of(Duration.ofMinutes(5), Duration.ofSeconds(10));
    RequestWindow short5m = new RequestWindow(Labels.of("service", "s"), fiveMinutes);
    samples.clear();
    samples.add(T0 + 10 * MINUTE, 1_000, false);
    samples.add(T0, 1_000, false); // ten minutes older than the newest: gone from a 5 min ring
    short5m.record(samples, 0, 2, T0 + 10 * MINUTE, scratch);
    RequestAccumulator acc = new RequestAccumulator();
    short5m.addTo(acc, T0 + 10 * MINUTE, Duration.ofMinutes(5).toMillis());
    assertThat(acc.count()).isEqualTo(1);
  }

  @Test
  void quantilesOf100kLognormalSamplesAreWithinTheStatedBoundOfTheExactOnes() {
    Random random = new Random(42);
    int n = 100_000;
    long[] exactMicros = new long[n];
    samples.clear();
    for (int i = 0; i < n; i++) {
      // median ~ 60 ms, long tail; spread over 50 s so many slices and both record paths are used.
      double millis = Math.exp(4.1 + 0.9 * random.nextGaussian());
      long micros = Latency.millisToMicros(millis);
      exactMicros[i] = micros;
      samples.add(T0 + (i % 50_000), micros, false);
    }
    Arrays.sort(exactMicros);
    // Chunks of varying size, including runs shorter than the scratch threshold.
    int from = 0;
    int chunk = 1;
    while (from < n) {
      int to = Math.min(n, from + chunk);
      window.record(samples, from, to, T0 + 50_000, scratch);
      from = to;
      chunk = chunk * 3 % 997 + 1;
    }
    RequestStats stats = stats(T0 + 50_000, MINUTE);
    assertThat(stats.count()).isEqualTo(n);
    double[][] checks = {
      {0.5, stats.p50Millis()},
      {0.75, stats.p75Millis()},
      {0.9, stats.p90Millis()},
      {0.95, stats.p95Millis()},
      {0.99, stats.p99Millis()},
      {0.999, stats.p999Millis()},
      {1.0, stats.maxMillis()}
    };
    for (double[] check : checks) {
      double exactMillis = exactMicros[nearestRank(check[0], n)] / 1000.0;
      assertThat(check[1])
          .as("quantile %s", check[0])
          .isCloseTo(exactMillis, within(exactMillis * Latency.QUANTILE_RELATIVE_ERROR));
    }
    assertThat(Latency.QUANTILE_RELATIVE_ERROR).isLessThanOrEqualTo(0.01);
  }

  @Test
  void aPreAggregatedHistogramCountsInTheSliceOfItsEnd() {
    Histogram interval = Latency.newHistogram();
    for (int i = 1; i <= 100; i++) {
      interval.recordValue(i * 1_000L); // 1..100 ms
    }
    window.recordHistogram(T0 + 10_000, interval, 7, T0 + 10_000, scratch);
    RequestStats stats = stats(T0 + 10_000, MINUTE);
    assertThat(stats.count()).isEqualTo(100);
    assertThat(stats.errors()).isEqualTo(7);
    assertThat(stats.p50Millis()).isCloseTo(50, within(50 * Latency.QUANTILE_RELATIVE_ERROR));
    assertThat(stats(T0 + 70_000, MINUTE).count()).isZero();
  }

  private static int nearestRank(double q, int n) {
    return Math.max(0, (int) Math.ceil(q * n) - 1);
  }
}
