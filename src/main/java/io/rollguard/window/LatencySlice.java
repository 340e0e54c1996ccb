package io.rollguard.window;

import java.util.Arrays;

/**
 * The latency distribution of one time slice. Its size follows the number of distinct buckets seen,
 * not the scale's range: a quiet slice costs a few dozen bytes where a dense histogram would cost
 * 27 KB.
 *
 * <p>Three forms. Written slices are sparse, (bucket index, count) pairs sorted by index, until
 * they hold more than {@link #SPARSE_MAX} distinct buckets; then they are dense over the range of
 * indexes seen ({@code counts[index - base]}), so a busy series' sample costs an array increment
 * instead of a search and an insertion into hundreds of pairs. Sealed slices are {@link #encode()}d
 * into a byte array of varint (index delta, count) pairs, about 2 to 3 bytes per distinct bucket.
 * Not thread-safe: owned by a window and used under its monitor.
 */
final class LatencySlice {

  private static final int[] NONE = new int[0];

  /** Beyond this many distinct buckets a slice turns dense over its range of indexes. */
  static final int SPARSE_MAX = 32;

  /** index0, count0, index1, count1, ... ascending by index (sparse form). */
  private int[] pairs = NONE;

  private int size;

  /** The dense form: counts of indexes {@code base .. base + dense.length - 1}; null if sparse. */
  private int[] dense;

  private int base;

  /** Non-zero buckets of the dense form. */
  private int nonZero;

  int distinctBuckets() {
    return dense == null ? size : nonZero;
  }

  void clear() {
    size = 0;
    dense = null;
    nonZero = 0;
    if (pairs.length > 4 * SPARSE_MAX) {
      pairs = NONE; // give a burst's memory back
    }
  }

  /**
   * Adds {@code count} observations in bucket {@code index}; a negative count takes them away (as
   * running window sums do), and a bucket whose count reaches zero is dropped.
   */
  void add(int index, int count) {
    if (dense != null) {
      addDense(index, count);
      return;
    }
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int at = pairs[2 * mid];
      if (at < index) {
        lo = mid + 1;
      } else if (at > index) {
        hi = mid - 1;
      } else {
        pairs[2 * mid + 1] += count;
        if (pairs[2 * mid + 1] == 0) {
          System.arraycopy(pairs, 2 * mid + 2, pairs, 2 * mid, 2 * (size - mid - 1));
          size--;
        }
        return;
      }
    }
    if (size == SPARSE_MAX) {
      toDense();
      addDense(index, count);
      return;
    }
    ensureCapacity(size + 1);
    System.arraycopy(pairs, 2 * lo, pairs, 2 * lo + 2, 2 * (size - lo));
    pairs[2 * lo] = index;
    pairs[2 * lo + 1] = count;
    size++;
  }

  private void addDense(int index, int count) {
    if (index < base || index >= base + dense.length) {
      widen(index);
    }
    int before = dense[index - base];
    int after = before + count;
    dense[index - base] = after;
    if (before == 0 && after != 0) {
      nonZero++;
    } else if (before != 0 && after == 0) {
      nonZero--;
    }
  }

  /** The pairs become dense counts over their range, with room to grow on both sides. */
  private void toDense() {
    int lowest = pairs[0];
    int highest = pairs[2 * size - 2];
    int slack = Math.max(16, (highest - lowest) / 4);
    base = Math.max(0, lowest - slack);
    int top = Math.min(Latency.BUCKET_COUNT, highest + slack + 1);
    dense = new int[top - base];
    for (int i = 0; i < size; i++) {
      dense[pairs[2 * i] - base] = pairs[2 * i + 1];
    }
    nonZero = size;
    size = 0;
    pairs = NONE;
  }

  private void widen(int index) {
    int lowest = Math.min(base, index);
    int highest = Math.max(base + dense.length - 1, index);
    int slack = Math.max(16, (highest - lowest) / 4);
    int newBase = Math.max(0, index < base ? lowest - slack : lowest);
    int newTop =
        Math.min(
            Latency.BUCKET_COUNT, (index >= base + dense.length ? highest + slack : highest) + 1);
    int[] grown = new int[newTop - newBase];
    System.arraycopy(dense, 0, grown, base - newBase, dense.length);
    dense = grown;
    base = newBase;
  }

  /**
   * Adds {@code n} (index, count) pairs given in ascending index order. The arguments are not
   * modified.
   */
  void addSorted(int[] indexes, int[] counts, int n) {
    if (dense != null || n <= 8 || n * 16 < size) {
      for (int i = 0; i < n; i++) {
        add(indexes[i], counts[i]); // a few binary searches beat a pass over a large slice
      }
      return;
    }
    int fresh = 0;
    for (int a = 0, b = 0; b < n; ) {
      if (a < size && pairs[2 * a] < indexes[b]) {
        a++;
      } else {
        if (a < size && pairs[2 * a] == indexes[b]) {
          a++;
        } else {
          fresh++;
        }
        b++;
      }
    }
    if (fresh == 0) {
      for (int a = 0, b = 0; b < n; a++) {
        if (pairs[2 * a] == indexes[b]) {
          pairs[2 * a + 1] += counts[b++];
        }
      }
      return;
    }
    if (size + fresh > SPARSE_MAX) {
      for (int i = 0; i < n; i++) {
        add(indexes[i], counts[i]); // turns dense on the way
      }
      return;
    }
    int merged = size + fresh;
    ensureCapacity(merged);
    // Merge from the back so that no pair is overwritten before it is read.
    int a = size - 1;
    int b = n - 1;
    for (int w = merged - 1; w >= 0; w--) {
      if (b < 0 || (a >= 0 && pairs[2 * a] > indexes[b])) {
        pairs[2 * w] = pairs[2 * a];
        pairs[2 * w + 1] = pairs[2 * a + 1];
        a--;
      } else if (a < 0 || pairs[2 * a] < indexes[b]) {
        pairs[2 * w] = indexes[b];
        pairs[2 * w + 1] = counts[b];
        b--;
      } else {
        pairs[2 * w] = indexes[b];
        pairs[2 * w + 1] = pairs[2 * a + 1] + counts[b];
        a--;
        b--;
      }
    }
    size = merged;
  }

  /** Adds every observation of {@code other} to this slice. */
  void addAll(LatencySlice other) {
    if (other.dense != null) {
      for (int i = 0; i < other.dense.length; i++) {
        if (other.dense[i] != 0) {
          add(other.base + i, other.dense[i]);
        }
      }
    } else {
      for (int i = 0; i < other.size; i++) {
        add(other.pairs[2 * i], other.pairs[2 * i + 1]);
      }
    }
  }

  /** Adds this slice's observations to {@code into}. */
  void addTo(LatencyCounts into) {
    if (dense != null) {
      for (int i = 0; i < dense.length; i++) {
        if (dense[i] != 0) {
          into.add(base + i, dense[i]);
        }
      }
      return;
    }
    into.addSortedPairs(pairs, size);
  }

  /** The sealed form: varint (index delta, count) pairs; null when the slice is empty. */
  byte[] encode() {
    if (distinctBuckets() == 0) {
      return null;
    }
    byte[] out = new byte[distinctBuckets() * 10];
    int at = 0;
    int previous = 0;
    if (dense != null) {
      for (int i = 0; i < dense.length; i++) {
        if (dense[i] != 0) {
          at = writeVarint(out, at, base + i - previous);
          at = writeVarint(out, at, dense[i]);
          previous = base + i;
        }
      }
      return Arrays.copyOf(out, at);
    }
    for (int i = 0; i < size; i++) {
      at = writeVarint(out, at, pairs[2 * i] - previous);
      at = writeVarint(out, at, pairs[2 * i + 1]);
      previous = pairs[2 * i];
    }
    return Arrays.copyOf(out, at);
  }

  /** Replaces this slice's content with the sealed form {@code encoded} (null: empty). */
  void decode(byte[] encoded) {
    size = 0;
    dense = null;
    nonZero = 0;
    if (encoded != null) {
      ensureCapacity(Math.min(encoded.length / 2 + 1, Latency.BUCKET_COUNT));
      size = decodePairs(encoded, pairs);
      if (size > SPARSE_MAX) {
        toDense();
      }
    }
  }

  /** Adds (sign 1) or takes away (sign -1) the sealed slice {@code encoded}. */
  void addEncoded(byte[] encoded, int sign) {
    int[] decoded = new int[2 * Math.min(encoded.length / 2 + 1, Latency.BUCKET_COUNT)];
    int n = decodePairs(encoded, decoded);
    for (int i = 0; i < 2 * n; i += 2) {
      add(decoded[i], sign * decoded[i + 1]);
    }
  }

  /**
   * Decodes the sealed form into interleaved (index, count) pairs in {@code out} (room for two ints
   * a distinct bucket) and returns how many pairs. The one reader of the sealed form and the inner
   * loop of every window merge, so the varints are read inline: an index delta takes at most two
   * bytes (the scale has 3,328 buckets).
   */
  static int decodePairs(byte[] encoded, int[] out) {
    int n = 0;
    int index = 0;
    int at = 0;
    while (at < encoded.length) {
      int b = encoded[at++];
      int delta = b & 0x7F;
      if (b < 0) {
        delta |= (encoded[at++] & 0x7F) << 7;
      }
      index += delta;
      b = encoded[at++];
      int count = b & 0x7F;
      for (int shift = 7; b < 0; shift += 7) {
        b = encoded[at++];
        count |= (b & 0x7F) << shift;
      }
      out[2 * n] = index;
      out[2 * n + 1] = count;
      n++;
    }
    return n;
  }

  /** Approximate heap bytes held (benchmarks report it). */
  long footprintBytes() {
    return 40 + 16 + 4L * pairs.length + (dense == null ? 0 : 16 + 4L * dense.length);
  }

  private void ensureCapacity(int pairCount) {
    if (2 * pairCount > pairs.length) {
      int grown = Math.max(2 * pairCount, pairs.length + (pairs.length >> 1));
      pairs = Arrays.copyOf(pairs, Math.max(4, grown));
    }
  }

  private static int writeVarint(byte[] out, int at, int value) {
    while ((value & ~0x7F) != 0) {
      out[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[at++] = (byte) value;
    return at;
  }
}
