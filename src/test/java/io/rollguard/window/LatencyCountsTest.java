package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyCountsTest {

  private static final double[] QUANTILES = {
    0, 0.001, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.999, 1
  };

  @Test
  void quantilesAndMeanAreHdrHistogramsOwn() {
    Random random = new Random(17);
    for (int round = 0; round < 200; round++) {
      Histogram library = Latency.newHistogram();
      LatencyCounts counts = new LatencyCounts();
      int n = 1 + random.nextInt(round < 100 ? 20 : 20_000);
      double sigma = 0.2 + random.nextDouble() * 2;
      for (int i = 0; i < n; i++) {
        long micros =
            Math.min(
                Latency.HIGHEST_TRACKABLE_MICROS,
                (long) Math.exp(8 + sigma * random.nextGaussian()));
        library.recordValue(micros);
        counts.add(Latency.indexOf(micros), 1);
      }
      for (double q : QUANTILES) {
        double expected = library.medianEquivalentValue(library.getValueAtPercentile(q * 100));
        assertThat(counts.quantileMicros(q))
            .as("round %d, q %s, n %d", round, q, n)
            .isEqualTo(expected);
      }
      assertThat(counts.meanMicros())
          .isCloseTo(library.getMean(), within(library.getMean() * 1e-12));
    }
  }

  @Test
  void resetForgetsEverything() {
    LatencyCounts counts = new LatencyCounts();
    counts.add(Latency.indexOf(1_000), 5);
    counts.reset();
    assertThat(counts.total()).isZero();
    assertThat(counts.quantileMicros(0.5)).isNaN();
    counts.add(Latency.indexOf(7), 1);
    assertThat(counts.quantileMicros(1)).isEqualTo(7);
  }
}
