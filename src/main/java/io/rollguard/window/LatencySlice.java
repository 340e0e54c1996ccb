package io.rollguard.window;

import java.util.Arrays;
import org.HdrHistogram.AbstractHistogram;

/**
 * The latency distribution of one time slice of one series, as sorted (bucket key, count) pairs.
 * Its size follows the number of distinct buckets seen in the slice, not the scale's range: a quiet
 * slice costs a few dozen bytes where a dense histogram would cost 27 KB.
 *
 * <p>Keys are {@link Latency#keyOf} values compared as unsigned ints. Not thread-safe: owned by a
 * window and used under its monitor.
 */
final class LatencySlice {

  private static final int[] NONE = new int[0];

  /** key0, count0, key1, count1, ... ascending by unsigned key. */
  private int[] pairs = NONE;

  private int size;

  int distinctBuckets() {
    return size;
  }

  void clear() {
    size = 0;
    if (pairs.length > 64) {
      pairs = NONE; // give a burst's memory back; quiet slices keep their small arrays
    }
  }

  /** Adds {@code count} observations in the bucket {@code key}. */
  void add(int key, int count) {
    int i = indexOf(key);
    if (i >= 0) {
      pairs[2 * i + 1] += count;
      return;
    }
    int at = -i - 1;
    ensureCapacity(size + 1);
    System.arraycopy(pairs, 2 * at, pairs, 2 * at + 2, 2 * (size - at));
    pairs[2 * at] = key;
    pairs[2 * at + 1] = count;
    size++;
  }

  /**
   * Adds {@code n} (key, count) pairs given in ascending unsigned key order, in one merge pass. The
   * arguments are not modified.
   */
  void addSorted(int[] keys, int[] counts, int n) {
    int fresh = 0;
    for (int a = 0, b = 0; b < n; ) {
      int cmp = a < size ? Integer.compareUnsigned(pairs[2 * a], keys[b]) : 1;
      if (cmp < 0) {
        a++;
      } else {
        if (cmp > 0) {
          fresh++;
        }
        if (cmp == 0) {
          a++;
        }
        b++;
      }
    }
    if (fresh == 0) {
      for (int a = 0, b = 0; b < n; a++) {
        if (pairs[2 * a] == keys[b]) {
          pairs[2 * a + 1] += counts[b++];
        }
      }
      return;
    }
    int merged = size + fresh;
    ensureCapacity(merged);
    // Merge from the back so that no pair is overwritten before it is read.
    int a = size - 1;
    int b = n - 1;
    for (int w = merged - 1; w >= 0; w--) {
      int cmp = a < 0 ? -1 : b < 0 ? 1 : Integer.compareUnsigned(pairs[2 * a], keys[b]);
      if (cmp > 0) {
        pairs[2 * w] = pairs[2 * a];
        pairs[2 * w + 1] = pairs[2 * a + 1];
        a--;
      } else if (cmp < 0) {
        pairs[2 * w] = keys[b];
        pairs[2 * w + 1] = counts[b];
        b--;
      } else {
        pairs[2 * w] = keys[b];
        pairs[2 * w + 1] = pairs[2 * a + 1] + counts[b];
        a--;
        b--;
      }
    }
    size = merged;
  }

  /** Records this slice's observations into {@code histogram} (on the {@link Latency} scale). */
  void addTo(AbstractHistogram histogram) {
    for (int i = 0; i < size; i++) {
      histogram.recordValueWithCount(Latency.valueOf(pairs[2 * i]), pairs[2 * i + 1]);
    }
  }

  /** Approximate heap bytes held, for memory accounting in benchmarks. */
  long footprintBytes() {
    return 24 + 16 + 4L * pairs.length;
  }

  private int indexOf(int key) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp = Integer.compareUnsigned(pairs[2 * mid], key);
      if (cmp < 0) {
        lo = mid + 1;
      } else if (cmp > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  private void ensureCapacity(int pairCount) {
    if (2 * pairCount > pairs.length) {
      int grown = Math.max(2 * pairCount, pairs.length + (pairs.length >> 1));
      pairs = Arrays.copyOf(pairs, Math.max(4, grown));
    }
  }
}
