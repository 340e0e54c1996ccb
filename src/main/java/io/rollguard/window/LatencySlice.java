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
 * instead of a search and an insertion into hundreds of pairs. Sealed slices are {@link #encodeInto
 * encoded} into bytes, about one byte per distinct bucket. Not thread-safe: owned by a window and
 * used under its monitor.
 */
final class LatencySlice {

  private static final int[] NONE = new int[0];

  /** Room for every bucket's pair, per thread: what {@link #addEncoded} decodes into. */
  private static final ThreadLocal<int[]> DECODED =
      ThreadLocal.withInitial(() -> new int[2 * Latency.BUCKET_COUNT]);

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

  /** The sealed form ({@link #encodeInto}) on its own; null when the slice is empty. */
  byte[] encode() {
    return distinctBuckets() == 0 ? null : encodeWithRoom(0);
  }

  /**
   * The sealed form written after {@code room} bytes left for the caller (a sealed slice's counts
   * go there); only the room when the slice is empty. One pass to size both formats, one to write.
   */
  byte[] encodeWithRoom(int room) {
    int n = distinctBuckets();
    if (n == 0) {
      return new byte[room];
    }
    int[] p = pairs();
    long sizes = encodedSizes(p, n);
    int small = (int) (sizes >>> 32);
    int larger = (int) sizes;
    byte[] out = new byte[room + Math.min(small, larger)];
    write(out, room, p, n, larger < small ? LARGER_COUNTS : SMALL_COUNTS);
    return out;
  }

  /** How many bytes {@link #encodeInto} writes: 0 for an empty slice. */
  int encodedSize() {
    int n = distinctBuckets();
    if (n == 0) {
      return 0;
    }
    long sizes = encodedSizes(pairs(), n);
    return Math.min((int) (sizes >>> 32), (int) sizes);
  }

  /**
   * Writes the sealed form at {@code out[at]} and returns the offset after it. A format byte, then
   * per distinct bucket, ascending, its index delta (from -1 for the first) and count: one byte
   * when both are small (format {@link #SMALL_COUNTS}: {@code 0dddd ccc}, delta 1..16, count 1..8;
   * format {@link #LARGER_COUNTS}: {@code 0ddd cccc}, delta 1..8, count 1..16; each field minus
   * one), else {@code 10dddddd} (delta 1..64) or {@code 11000000} then a varint delta, followed by
   * a varint count. The encoder picks the shorter format: sparse slices (a few samples a second)
   * and busy ones (many per bucket) both come to about one byte a distinct bucket.
   */
  int encodeInto(byte[] out, int at) {
    int n = distinctBuckets();
    if (n == 0) {
      return at;
    }
    int[] p = pairs();
    long sizes = encodedSizes(p, n);
    return write(out, at, p, n, (int) sizes < (int) (sizes >>> 32) ? LARGER_COUNTS : SMALL_COUNTS);
  }

  private static int write(byte[] out, int at, int[] p, int n, int format) {
    int deltaMax = format == SMALL_COUNTS ? 16 : 8;
    int countMax = format == SMALL_COUNTS ? 8 : 16;
    int countBits = format == SMALL_COUNTS ? 3 : 4;
    out[at++] = (byte) format;
    int previous = -1;
    for (int i = 0; i < n; i++) {
      int delta = p[2 * i] - previous;
      int count = p[2 * i + 1];
      previous = p[2 * i];
      if (count <= 0) {
        throw new IllegalStateException("a sealed slice holds a non-positive count: " + count);
      }
      if (delta <= deltaMax && count <= countMax) {
        out[at++] = (byte) ((delta - 1) << countBits | (count - 1));
        continue;
      }
      if (delta <= 64) {
        out[at++] = (byte) (0x80 | (delta - 1));
      } else {
        out[at++] = (byte) 0xC0;
        at = writeVarint(out, at, delta);
      }
      at = writeVarint(out, at, count);
    }
    return at;
  }

  /** Sealed form: one-byte buckets hold counts up to 8 ({@link #encodeInto}). */
  static final int SMALL_COUNTS = 0;

  /** Sealed form: one-byte buckets hold counts up to 16, index deltas up to 8. */
  static final int LARGER_COUNTS = 1;

  /** The sizes of both formats: {@link #SMALL_COUNTS}'s in the high 32 bits, the other's low. */
  private static long encodedSizes(int[] p, int n) {
    int small = 1;
    int larger = 1;
    int previous = -1;
    for (int i = 0; i < n; i++) {
      int delta = p[2 * i] - previous;
      int count = p[2 * i + 1];
      previous = p[2 * i];
      int escaped = (delta <= 64 ? 1 : 1 + varintLength(delta)) + varintLength(count);
      small += delta <= 16 && count <= 8 ? 1 : escaped;
      larger += delta <= 8 && count <= 16 ? 1 : escaped;
    }
    return ((long) small << 32) | larger;
  }

  /** This slice's (index, count) pairs, interleaved and ascending (a copy when dense). */
  private int[] pairs() {
    if (dense == null) {
      return pairs;
    }
    int[] p = new int[2 * nonZero];
    int k = 0;
    for (int i = 0; i < dense.length; i++) {
      if (dense[i] != 0) {
        p[k++] = base + i;
        p[k++] = dense[i];
      }
    }
    return p;
  }

  /** Replaces this slice's content with the sealed form held in {@code encoded[from..]}. */
  void decode(byte[] encoded, int from) {
    size = 0;
    dense = null;
    nonZero = 0;
    if (encoded != null && from < encoded.length) {
      ensureCapacity(Math.min(encoded.length - from, Latency.BUCKET_COUNT));
      size = decodePairs(encoded, from, pairs);
      if (size > SPARSE_MAX) {
        toDense();
      }
    }
  }

  /** Adds (sign 1) or takes away (sign -1) the sealed form held in {@code encoded[from..]}. */
  void addEncoded(byte[] encoded, int from, int sign) {
    int[] decoded = DECODED.get();
    int n = decodePairs(encoded, from, decoded);
    for (int i = 0; i < 2 * n; i += 2) {
      add(decoded[i], sign * decoded[i + 1]);
    }
  }

  /**
   * Decodes the sealed form held in {@code encoded[from..]} (to the array's end) into interleaved
   * (index, count) pairs in {@code out} (room for two ints a distinct bucket; a distinct bucket
   * takes at least one byte) and returns how many pairs. The inner loop of every window merge.
   */
  static int decodePairs(byte[] encoded, int from, int[] out) {
    if (from >= encoded.length) {
      return 0;
    }
    int countBits = encoded[from] == SMALL_COUNTS ? 3 : 4;
    int countMask = (1 << countBits) - 1;
    int n = 0;
    int index = -1;
    int at = from + 1;
    while (at < encoded.length) {
      int b = encoded[at++];
      int count;
      if (b >= 0) {
        index += (b >> countBits) + 1;
        count = (b & countMask) + 1;
      } else {
        if ((b & 0x40) == 0) {
          index += (b & 0x3F) + 1;
        } else {
          b = encoded[at++];
          int delta = b & 0x7F;
          for (int shift = 7; b < 0; shift += 7) {
            b = encoded[at++];
            delta |= (b & 0x7F) << shift;
          }
          index += delta;
        }
        b = encoded[at++];
        count = b & 0x7F;
        for (int shift = 7; b < 0; shift += 7) {
          b = encoded[at++];
          count |= (b & 0x7F) << shift;
        }
      }
      out[2 * n] = index;
      out[2 * n + 1] = count;
      n++;
    }
    return n;
  }

  static int varintLength(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
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

  static int writeVarint(byte[] out, int at, long value) {
    while ((value & ~0x7FL) != 0) {
      out[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[at++] = (byte) value;
    return at;
  }
}
