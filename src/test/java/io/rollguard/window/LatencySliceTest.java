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
    fromSealed.addEncoded(sealed, 0);
    Histogram sealedHistogram = Latency.newHistogram();
    fromSealed.addTo(sealedHistogram);
    assertThat(sealedHistogram).isEqualTo(direct);

    LatencySlice reopened = new LatencySlice();
    reopened.decode(sealed, 0);
    assertThat(histogramOf(reopened)).isEqualTo(direct);
    // Counts up to 1,000 take two varint bytes; with the index byte, at most four a bucket.
    assertThat(sealed.length).isLessThan(4 * slice.distinctBuckets());
  }

  @Test
  void everyShapeOfSliceSealsAndDecodesExactlyAtAnyOffsetInAboutOneByteABucket() {
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      LatencySlice slice = new LatencySlice();
      int shape = (int) (seed % 4);
      int n = 1 + random.nextInt(shape == 3 ? 3_000 : 300);
      for (int i = 0; i < n; i++) {
        int index =
            switch (shape) {
              case 0 -> random.nextInt(Latency.BUCKET_COUNT); // sparse: deltas beyond 64
              case 1 -> 500 + random.nextInt(40); // clustered: one-byte buckets
              case 2 -> random.nextInt(3) == 0 ? 0 : 1_000 + random.nextInt(200); // index 0
              default -> 800 + (int) Math.abs(random.nextGaussian() * 60); // busy: big counts
            };
        slice.add(index, shape == 3 ? 1 + random.nextInt(40) : 1 + random.nextInt(3));
      }
      byte[] alone = slice.encode();
      assertThat(alone).hasSize(slice.encodedSize());
      byte[] atOffset = new byte[3 + slice.encodedSize()];
      assertThat(slice.encodeInto(atOffset, 3)).isEqualTo(atOffset.length);
      LatencySlice back = new LatencySlice();
      back.decode(atOffset, 3);
      assertThat(histogramOf(back)).as("seed %d", seed).isEqualTo(histogramOf(slice));
      LatencyCounts counts = new LatencyCounts();
      counts.addEncoded(atOffset, 3);
      Histogram fromCounts = Latency.newHistogram();
      counts.addTo(fromCounts);
      assertThat(fromCounts).as("seed %d", seed).isEqualTo(histogramOf(slice));
      if (shape == 1) {
        // Index gaps up to 16 and counts up to 8: one byte a bucket, plus the format byte.
        slice.clear();
        for (int index = random.nextInt(16); index < 3_000; index += 1 + random.nextInt(16)) {
          slice.add(index, 1 + random.nextInt(8));
        }
        alone = slice.encode();
        back.decode(alone, 0);
        assertThat(histogramOf(back)).as("seed %d", seed).isEqualTo(histogramOf(slice));
        assertThat(alone.length)
            .as("seed %d", seed)
            .isLessThanOrEqualTo(1 + slice.distinctBuckets());
      }
    }
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
