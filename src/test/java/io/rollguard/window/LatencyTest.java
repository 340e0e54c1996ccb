package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.junit.jupiter.api.Test;

class LatencyTest {

  private final Histogram scale = Latency.newHistogram();

  @Test
  void bucketIndexesAreHdrHistogramsCountsArrayPositions() {
    // Walking the library's own buckets up to 1 h visits indexes 0, 1, 2, ... in order. (Its last
    // bucket reaches past 1 h; values there are clamped to 1 h before they are recorded.)
    int expected = 0;
    for (HistogramIterationValue v : scale.allValues()) {
      long lowest = scale.lowestEquivalentValue(v.getValueIteratedTo());
      if (lowest > Latency.HIGHEST_TRACKABLE_MICROS) {
        break;
      }
      assertThat(Latency.indexOf(lowest)).as("value %d", lowest).isEqualTo(expected);
      assertThat(Latency.valueOf(expected)).isEqualTo(lowest);
      expected++;
    }
    assertThat(Latency.BUCKET_COUNT).isEqualTo(expected);
  }

  @Test
  void everyValueMapsToTheBucketTheLibraryPutsItIn() {
    Random random = new Random(9);
    for (int i = 0; i < 1_000_000; i++) {
      long v = (long) Math.exp(random.nextDouble() * Math.log(Latency.HIGHEST_TRACKABLE_MICROS));
      assertThat(Latency.valueOf(Latency.indexOf(v))).isEqualTo(scale.lowestEquivalentValue(v));
    }
  }

  @Test
  void valuesAboveTheRangeCountAsTheTopBucket() {
    assertThat(Latency.indexOf(10 * Latency.HIGHEST_TRACKABLE_MICROS))
        .isEqualTo(Latency.BUCKET_COUNT - 1);
    assertThat(Latency.indexOf(-5)).isZero();
  }
}
