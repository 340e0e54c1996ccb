package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quantiles of bucketed data are only as good as the bucket they fall in: the bound a reader
 * reports must hold for every quantile of data bucketed that way, and must not be wider than the
 * bucket says.
 */
class BucketBoundsTest {

  /** OpenTelemetry's advice for {@code http.server.request.duration}, in µs. */
  private static final double[] HTTP_BOUNDS_MICROS =
      Arrays.stream(
              new double[] {
                0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10
              })
          .map(s -> s * 1e6)
          .toArray();

  @Test
  void explicitBucketsRecordAtTheirHarmonicMidpointAndReportTheirWidth() {
    BucketBounds b = BucketBounds.explicit(HTTP_BOUNDS_MICROS);
    // (100 ms, 250 ms]: recorded at 2*100*250/350 ms, within (250-100)/(250+100) = 42.9%
    assertThat(b.explicitValueMicros(6))
        .isCloseTo(142_857.14, org.assertj.core.data.Offset.offset(0.1));
    double bound = b.relativeErrorAt(142_857);
    assertThat(bound).isGreaterThan(150.0 / 350).isLessThan(150.0 / 350 + 0.01);
    // first bucket and overflow bucket: "at most" / "more than", unbounded
    assertThat(b.explicitValueMicros(0)).isEqualTo(5_000);
    assertThat(b.relativeErrorAt(5_000)).isEqualTo(BucketBounds.UNBOUNDED);
    assertThat(b.explicitValueMicros(14)).isEqualTo(10_000_000);
    assertThat(b.relativeErrorAt(10_000_000)).isEqualTo(BucketBounds.UNBOUNDED);
    assertThat(BucketBounds.explicit(HTTP_BOUNDS_MICROS)).isSameAs(b);
  }

  @Test
  void exponentialBucketsReportTheirScalesWidth() {
    BucketBounds b = BucketBounds.exponential(3, 0);
    double base = Math.pow(2, 1.0 / 8);
    double expected = (1 + (base - 1) / (base + 1)) * (1 + Latency.QUANTILE_RELATIVE_ERROR) - 1;
    assertThat(b.relativeErrorAt(12_345))
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(b.relativeErrorAt(0)).isEqualTo(Latency.QUANTILE_RELATIVE_ERROR);
  }

  /**
   * Random latencies, bucketed both ways, recorded into a window: every quantile the window reports
   * is within the bound it reports of the exact quantile of the raw latencies.
   */
  @Test
  void reportedBoundsHoldForEveryQuantileOfRandomData() {
    Random random = new Random(20261201);
    for (int round = 0; round < 200; round++) {
      boolean exponential = round % 2 == 0;
      int scale = random.nextInt(9) - 2;
      BucketBounds layout =
          exponential
              ? BucketBounds.exponential(scale, 0)
              : BucketBounds.explicit(HTTP_BOUNDS_MICROS);
      int n = 1 + random.nextInt(2_000);
      double[] micros = new double[n];
      double median = 2_000 + random.nextInt(400_000);
      for (int i = 0; i < n; i++) {
        micros[i] = Math.max(1, median * Math.exp(random.nextGaussian() * 0.8));
      }
      BucketedLatency buckets = new BucketedLatency(layout);
      if (exponential) {
        double base = Math.pow(2, Math.scalb(1.0, -scale));
        java.util.TreeMap<Integer, Integer> counts = new java.util.TreeMap<>();
        for (double v : micros) {
          // bucket i holds (base^i, base^(i+1)]
          int index = (int) Math.ceil(Math.log(v) / Math.log(base)) - 1;
          counts.merge(index, 1, Integer::sum);
        }
        counts.forEach((i, c) -> buckets.add(layout.exponentialValue(i), c));
      } else {
        int[] counts = new int[HTTP_BOUNDS_MICROS.length + 1];
        for (double v : micros) {
          int i = Arrays.binarySearch(HTTP_BOUNDS_MICROS, v);
          counts[i >= 0 ? i : -i - 1]++;
        }
        for (int i = 0; i < counts.length; i++) {
          buckets.add(layout.explicitValueMicros(i), counts[i]);
        }
      }
      RequestWindow window =
          new RequestWindow(Labels.of(java.util.Map.of("service", "s")), WindowSettings.defaults());
      window.recordBuckets(60_000, buckets, 0, 60_000, new LatencyScratch());
      RequestAccumulator acc = new RequestAccumulator();
      window.addTo(acc, 61_000, 60_000);
      assertThat(acc.count()).isEqualTo(n);
      double[] sorted = micros.clone();
      Arrays.sort(sorted);
      for (double q : new double[] {0.5, 0.9, 0.95, 0.99}) {
        double reported = acc.quantileMillis(q);
        double exact = sorted[(int) Math.ceil(q * n) - 1] / 1000.0;
        double bound = acc.relativeErrorAt(reported);
        assertThat(Math.abs(reported - exact) / exact)
            .as("round %d q %s: reported %s exact %s layout %s", round, q, reported, exact, layout)
            .isLessThanOrEqualTo(bound + 1e-9);
        assertThat(bound).isGreaterThanOrEqualTo(Latency.QUANTILE_RELATIVE_ERROR);
      }
    }
  }

  @Test
  void rawSamplesKeepHdrHistogramsBoundAndBucketedDataAgesOut() {
    RequestWindow window =
        new RequestWindow(Labels.of(java.util.Map.of("service", "s")), WindowSettings.defaults());
    BucketedLatency buckets = new BucketedLatency(BucketBounds.explicit(HTTP_BOUNDS_MICROS));
    buckets.add(BucketBounds.explicit(HTTP_BOUNDS_MICROS).explicitValueMicros(6), 10);
    window.recordBuckets(60_000, buckets, 0, 60_000, new LatencyScratch());
    RequestAccumulator acc = new RequestAccumulator();
    window.addTo(acc, 61_000, 60_000);
    assertThat(acc.relativeErrorAt(acc.quantileMillis(0.5))).isGreaterThan(0.4);
    acc.reset();
    // ten minutes on, a one-minute window holds none of it: back to HdrHistogram's bound
    window.addTo(acc, 60_000 + 600_000, 60_000);
    assertThat(acc.relativeErrorAt(142.0)).isEqualTo(Latency.QUANTILE_RELATIVE_ERROR);
  }
}
