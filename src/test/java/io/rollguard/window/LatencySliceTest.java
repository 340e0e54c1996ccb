package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySliceTest {

  @Test
  void sortedMergesAndSingleAddsAgreeWithADenseHistogram() {
    Random random = new Random(7);
    LatencySlice slice = new LatencySlice();
    Histogram expected = Latency.newHistogram();
    LatencyScratch scratch = new LatencyScratch();
    for (int round = 0; round < 200; round++) {
      int n = 1 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        long micros = (long) Math.exp(random.nextGaussian() * 2 + 9);
        expected.recordValue(micros);
        if (round % 2 == 0) {
          slice.add(Latency.keyOf(micros), 1);
        } else {
          scratch.record(micros);
        }
      }
      if (round % 2 == 1) {
        int pairs = scratch.drain();
        slice.addSorted(scratch.keys(), scratch.counts(), pairs);
      }
    }
    Histogram actual = Latency.newHistogram();
    slice.addTo(actual);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void keysAboveTwoToTheThirtyOneSortAsUnsigned() {
    LatencySlice slice = new LatencySlice();
    long halfHour = 1_800_000_000L;
    long hour = Latency.HIGHEST_TRACKABLE_MICROS;
    slice.add(Latency.keyOf(hour), 1);
    slice.add(Latency.keyOf(1_000), 1);
    slice.add(Latency.keyOf(halfHour), 2);
    Histogram h = Latency.newHistogram();
    slice.addTo(h);
    assertThat(h.getTotalCount()).isEqualTo(4);
    assertThat(h.getCountAtValue(hour)).isEqualTo(1);
    assertThat(h.getCountAtValue(halfHour)).isEqualTo(2);
  }

  @Test
  void clearEmptiesTheSlice() {
    LatencySlice slice = new LatencySlice();
    slice.add(Latency.keyOf(500), 3);
    slice.clear();
    Histogram h = Latency.newHistogram();
    slice.addTo(h);
    assertThat(h.getTotalCount()).isZero();
    assertThat(slice.distinctBuckets()).isZero();
  }
}
