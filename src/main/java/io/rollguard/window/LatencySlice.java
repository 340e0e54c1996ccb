package io.rollguard.window;

import java.util.Arrays;

/**
 * The latency distribution of one time slice, as (bucket index, count) pairs sorted by index. Its
 * size follows the number of distinct buckets seen, not the scale's range: a quiet slice costs a
 * few dozen bytes where a dense histogram would cost 27 KB.
 *
 * <p>Two forms: this mutable one for slices still being written, and a sealed one, {@link
 * #encode()}d into a byte array of varint (index delta, count) pairs, about 2 to 3 bytes per
 * distinct bucket. Not thread-safe: owned by a window and used under its monitor.
 */
final class LatencySlice {

  private static final int[] NONE = new int[0];

  /** index0, count0, index1, count1, ... ascending by index. */
  private int[] pairs = NONE;

  private int size;

  int distinctBuckets() {
    return size;
  }

  void clear() {
    size = 0;
    if (pairs.length > 256) {
      pairs = NONE; // give a burst's memory back
    }
  }

  /**
   * Adds {@code count} observations in bucket {@code index}; a negative count takes them away (as
   * running window sums do), and a bucket whose count reaches zero is dropped.
   */
  void add(int index, int count) {
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
    ensureCapacity(size + 1);
    System.arraycopy(pairs, 2 * lo, pairs, 2 * lo + 2, 2 * (size - lo));
    pairs[2 * lo] = index;
    pairs[2 * lo + 1] = count;
    size++;
  }

  /**
   * Adds {@code n} (index, count) pairs given in ascending index order, in one merge pass. The
   * arguments are not modified.
   */
  void addSorted(int[] indexes, int[] counts, int n) {
    if (n <= 8 || n * 16 < size) {
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

  /** Adds this slice's observations to {@code into}. */
  void addTo(LatencyCounts into) {
    into.addSortedPairs(pairs, size);
  }

  /** The sealed form: varint (index delta, count) pairs; null when the slice is empty. */
  byte[] encode() {
    if (size == 0) {
      return null;
    }
    byte[] out = new byte[size * 10];
    int at = 0;
    int previous = 0;
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
    if (encoded != null) {
      ensureCapacity(Math.min(encoded.length / 2 + 1, Latency.BUCKET_COUNT));
      size = decodePairs(encoded, pairs);
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
    return 24 + 16 + 4L * pairs.length;
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
