package io.rollguard.window;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Scratch space that turns a run of many latencies into sorted (bucket index, count) pairs: each
 * value increments a dense counter (about 2 ns), and the touched range is drained once, instead of
 * searching a slice per value. Not thread-safe: one per ingest thread, passed to the window it
 * writes.
 */
public final class LatencyScratch {

  private final int[] dense = new int[Latency.BUCKET_COUNT];
  private final int[] indexes = new int[Latency.BUCKET_COUNT];
  private final int[] counts = new int[Latency.BUCKET_COUNT];
  private int lowest = Integer.MAX_VALUE;
  private int highest = -1;

  void record(long micros) {
    int index = Latency.indexOf(micros);
    dense[index]++;
    lowest = Math.min(lowest, index);
    highest = Math.max(highest, index);
  }

  /** Records {@code count} latencies of {@code micros}. */
  void record(long micros, int count) {
    int index = Latency.indexOf(micros);
    dense[index] += count;
    lowest = Math.min(lowest, index);
    highest = Math.max(highest, index);
  }

  /** Adds every value of {@code histogram} (microseconds, any precision). */
  void recordAll(AbstractHistogram histogram) {
    for (HistogramIterationValue v : histogram.recordedValues()) {
      int index = Latency.indexOf(v.getValueIteratedTo());
      dense[index] += (int) v.getCountAtValueIteratedTo();
      lowest = Math.min(lowest, index);
      highest = Math.max(highest, index);
    }
  }

  /**
   * Sorts the latencies of {@code samples[from, to)} (a short run) straight into {@link
   * #indexes()}/{@link #counts()}, merging equal buckets; returns how many pairs.
   */
  int sortSmallRun(RequestSamples samples, int from, int to) {
    int n = 0;
    for (int k = from; k < to; k++) {
      int index = Latency.indexOf(samples.micros(k));
      int at = n;
      while (at > 0 && indexes[at - 1] > index) {
        at--;
      }
      if (at > 0 && indexes[at - 1] == index) {
        counts[at - 1]++;
        continue;
      }
      System.arraycopy(indexes, at, indexes, at + 1, n - at);
      System.arraycopy(counts, at, counts, at + 1, n - at);
      indexes[at] = index;
      counts[at] = 1;
      n++;
    }
    return n;
  }

  /** Moves what was recorded into {@link #indexes()}/{@link #counts()}; returns how many pairs. */
  int drain() {
    int n = 0;
    for (int i = lowest; i <= highest; i++) {
      if (dense[i] != 0) {
        indexes[n] = i;
        counts[n] = dense[i];
        dense[i] = 0;
        n++;
      }
    }
    lowest = Integer.MAX_VALUE;
    highest = -1;
    return n;
  }

  int[] indexes() {
    return indexes;
  }

  int[] counts() {
    return counts;
  }
}
