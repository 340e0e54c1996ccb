package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySliceTest {

  private static Histogram histogramOf(LatencySlice slice) {
    LatencyCounts counts = new LatencyCounts();
    slice.addTo(counts);
    Histogram h = Latency.newHistogram();
    counts.addTo(h);
    return h;
  }

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
          slice.add(Latency.indexOf(micros), 1);
        } else {
          scratch.record(micros);
        }
      }
      if (round % 2 == 1) {
        int pairs = scratch.drain();
        slice.addSorted(scratch.indexes(), scratch.counts(), pairs);
      }
    }
    assertThat(histogramOf(slice)).isEqualTo(expected);
  }

  @Test
  void theSealedFormHoldsExactlyWhatTheSliceHeld() {
    Random random = new Random(11);
    LatencySlice slice = new LatencySlice();
    for (int i = 0; i < 5_000; i++) {
      slice.add(
          Latency.indexOf((long) Math.exp(random.nextGaussian() * 3 + 8)),
          1 + random.nextInt(1_000));
    }
    slice.add(Latency.indexOf(Latency.HIGHEST_TRACKABLE_MICROS), 7);
    Histogram direct = histogramOf(slice);

    byte[] sealed = slice.encode();
    LatencyCounts fromSealed = new LatencyCounts();
    fromSealed.addEncoded(sealed);
    Histogram sealedHistogram = Latency.newHistogram();
    fromSealed.addTo(sealedHistogram);
    assertThat(sealedHistogram).isEqualTo(direct);

    LatencySlice reopened = new LatencySlice();
    reopened.decode(sealed);
    assertThat(histogramOf(reopened)).isEqualTo(direct);
    // About two to three bytes per distinct bucket.
    assertThat(sealed.length).isLessThan(4 * slice.distinctBuckets());
  }

  @Test
  void anEmptySliceSealsToNothing() {
    assertThat(new LatencySlice().encode()).isNull();
  }

  @Test
  void clearEmptiesTheSlice() {
    LatencySlice slice = new LatencySlice();
    slice.add(Latency.indexOf(500), 3);
    slice.clear();
    assertThat(histogramOf(slice).getTotalCount()).isZero();
    assertThat(slice.distinctBuckets()).isZero();
  }
}
