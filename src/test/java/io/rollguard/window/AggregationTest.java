package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AggregationTest {

  private static final long T0 = 1_763_900_000_000L;

  @Test
  void mergingSeriesMergesDistributionsInsteadOfAveragingQuantiles() {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 100, 100);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    // Series a: 90 requests at 10 ms. Series b: 10 requests at 1000 ms.
    for (int i = 0; i < 90; i++) {
      samples.add(T0, 10_000, false);
    }
    registry.requests(Labels.of("service", "x", "pod", "a")).record(samples, 0, 90, T0, scratch);
    samples.clear();
    for (int i = 0; i < 10; i++) {
      samples.add(T0, 1_000_000, true);
    }
    registry.requests(Labels.of("service", "x", "pod", "b")).record(samples, 0, 10, T0, scratch);

    RequestAccumulator acc = new RequestAccumulator();
    for (RequestWindow w : registry.requestWindows()) {
      w.addTo(acc, T0, 60_000);
    }
    RequestStats merged = acc.stats(60_000);
    assertThat(merged.count()).isEqualTo(100);
    assertThat(merged.errorRate()).isEqualTo(0.1);
    // The true P90 of the merged samples is 10 ms and the P95 is 1000 ms; averaging the two
    // series' P95s (10 and 1000) would give 505 ms, which is neither.
    assertThat(merged.p90Millis()).isCloseTo(10, within(0.1));
    assertThat(merged.p95Millis()).isCloseTo(1000, within(1000 * Latency.QUANTILE_RELATIVE_ERROR));
  }
}
