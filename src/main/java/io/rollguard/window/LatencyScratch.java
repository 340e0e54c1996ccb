package io.rollguard.window;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Scratch space that turns a run of many latencies into sorted (bucket key, count) pairs: values
 * are recorded into a dense histogram (about 2 ns each) and drained once, instead of searching a
 * slice per value. Not thread-safe: one per ingest thread, passed to the window it writes.
 */
public final class LatencyScratch {

  private final AbstractHistogram dense = Latency.newHistogram();
  private final int[] keys = new int[Latency.BUCKET_COUNT];
  private final int[] counts = new int[keys.length];
  private int size;

  void record(long micros) {
    dense.recordValue(Math.min(micros, Latency.HIGHEST_TRACKABLE_MICROS));
  }

  /** Adds every value of {@code histogram} (on the {@link Latency} scale or finer). */
  void recordAll(AbstractHistogram histogram) {
    for (HistogramIterationValue v : histogram.recordedValues()) {
      dense.recordValueWithCount(
          Math.min(v.getValueIteratedTo(), Latency.HIGHEST_TRACKABLE_MICROS),
          v.getCountAtValueIteratedTo());
    }
  }

  /** Moves what was recorded into {@link #keys()}/{@link #counts()} and clears the histogram. */
  int drain() {
    size = 0;
    for (HistogramIterationValue v : dense.recordedValues()) {
      keys[size] = Latency.keyOf(v.getValueIteratedTo());
      counts[size] = (int) v.getCountAtValueIteratedTo();
      size++;
    }
    dense.reset();
    return size;
  }

  int[] keys() {
    return keys;
  }

  int[] counts() {
    return counts;
  }
}
