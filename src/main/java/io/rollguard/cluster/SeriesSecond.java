package io.rollguard.cluster;

import io.rollguard.window.Latency;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The requests of one series in one second, as one Kafka record (docs/cluster.md: ingest nodes
 * produce one record per series-second of a body, not one per sample): the series' labels, the
 * second, and the latency distributions of its successful and of its failed requests as (bucket,
 * count) pairs in the windows' own bucket indexes ({@link Latency#bucketOf}), so the owner adds
 * them to its window as they are. Two distributions, not one with an error count, because an SLO's
 * "good" (ok and latency under X) needs to know which latencies failed. Immutable; each bucket
 * array holds index, count, index, count, ... ascending.
 *
 * <p>Wire form, version 2: a version byte, the second and the label count as varints, each label as
 * length-prefixed UTF-8 name and value, then for the successful and then the failed requests the
 * number of buckets and each bucket as the varint gap to the previous index and the varint count.
 * {@link #decode} refuses anything else (wrong version, truncated, empty or unordered buckets, too
 * many labels or bytes), and never allocates more than the record's own length suggests.
 */
public final class SeriesSecond {

  static final int VERSION = 2;
  static final int MAX_LABELS = 64;
  static final int MAX_STRING_BYTES = 4_096;

  private final Map<String, String> labels;
  private final long second;
  private final int[] okBuckets;
  private final int[] errorBuckets;
  private final long requests;
  private final long errors;

  /**
   * @param okBuckets index, count pairs of the successful requests, ascending, counts positive
   * @param errorBuckets the same for the failed ones
   * @throws IllegalArgumentException when the pairs are not ordered or a count is not positive
   */
  public SeriesSecond(
      Map<String, String> labels, long second, int[] okBuckets, int[] errorBuckets) {
    if (second < 0) {
      throw new IllegalArgumentException("second " + second + " is before 1970");
    }
    this.labels = Map.copyOf(new TreeMap<>(labels));
    this.second = second;
    this.okBuckets = okBuckets.clone();
    this.errorBuckets = errorBuckets.clone();
    this.errors = total(this.errorBuckets);
    this.requests = total(this.okBuckets) + errors;
    if (requests == 0) {
      throw new IllegalArgumentException("a record without requests");
    }
  }

  private static long total(int[] buckets) {
    if (buckets.length % 2 != 0) {
      throw new IllegalArgumentException("buckets come in (index, count) pairs");
    }
    long total = 0;
    int previous = -1;
    for (int i = 0; i < buckets.length; i += 2) {
      if (buckets[i] <= previous || buckets[i] >= Latency.bucketCount() || buckets[i + 1] <= 0) {
        throw new IllegalArgumentException("bucket " + buckets[i] + " is out of order or empty");
      }
      previous = buckets[i];
      total += buckets[i + 1];
    }
    return total;
  }

  public Map<String, String> labels() {
    return labels;
  }

  /** Epoch seconds. */
  public long second() {
    return second;
  }

  public long requests() {
    return requests;
  }

  public long errors() {
    return errors;
  }

  /** A copy of the (index, count) pairs of the successful requests. */
  public int[] okBuckets() {
    return okBuckets.clone();
  }

  /** A copy of the (index, count) pairs of the failed requests. */
  public int[] errorBuckets() {
    return errorBuckets.clone();
  }

  /** The (index, count) pairs of all requests, successful and failed together. */
  public int[] buckets() {
    TreeMap<Integer, Integer> all = new TreeMap<>();
    for (int[] b : new int[][] {okBuckets, errorBuckets}) {
      for (int i = 0; i < b.length; i += 2) {
        all.merge(b[i], b[i + 1], Integer::sum);
      }
    }
    return SecondAggregator.pairs(all);
  }

  public byte[] encode() {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(32 + (okBuckets.length + errorBuckets.length) * 2);
    out.write(VERSION);
    varint(out, second);
    labels(out, labels);
    buckets(out, okBuckets);
    buckets(out, errorBuckets);
    return out.toByteArray();
  }

  static void labels(ByteArrayOutputStream out, Map<String, String> labels) {
    varint(out, labels.size());
    for (var e : new TreeMap<>(labels).entrySet()) {
      string(out, e.getKey());
      string(out, e.getValue());
    }
  }

  static void buckets(ByteArrayOutputStream out, int[] buckets) {
    varint(out, buckets.length / 2);
    int previous = -1;
    for (int i = 0; i < buckets.length; i += 2) {
      varint(out, buckets[i] - previous - 1L);
      varint(out, buckets[i + 1]);
      previous = buckets[i];
    }
  }

  /**
   * Reads a record {@link #encode} wrote.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static SeriesSecond decode(byte[] bytes) {
    Reader in = new Reader(bytes);
    int version = in.next();
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "record version " + version + " (this version reads " + VERSION + ")");
    }
    long second = in.varint();
    Map<String, String> labels = in.labels();
    int[] ok = in.buckets();
    int[] failed = in.buckets();
    in.end();
    return new SeriesSecond(labels, second, ok, failed);
  }

  static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    varint(out, b.length);
    out.write(b, 0, b.length);
  }

  /** Reads varints and strings, refusing to run past the end. */
  static final class Reader {
    private final byte[] bytes;
    private int at;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int next() {
      if (at >= bytes.length) {
        throw new IllegalArgumentException("the record ends early, at byte " + at);
      }
      return bytes[at++] & 0xFF;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = next();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (v < 0) {
            throw new IllegalArgumentException("a number out of range at byte " + at);
          }
          return v;
        }
      }
      throw new IllegalArgumentException("a number longer than 64 bits at byte " + at);
    }

    String string() {
      long n = varint();
      if (n > MAX_STRING_BYTES || n > bytes.length - at) {
        throw new IllegalArgumentException("a string of " + n + " bytes at byte " + at);
      }
      String s = new String(bytes, at, (int) n, StandardCharsets.UTF_8);
      at += (int) n;
      return s;
    }

    void end() {
      if (at != bytes.length) {
        throw new IllegalArgumentException("trailing bytes after the record");
      }
    }

    Map<String, String> labels() {
      long labelCount = varint();
      if (labelCount > MAX_LABELS) {
        throw new IllegalArgumentException(labelCount + " labels, more than " + MAX_LABELS);
      }
      Map<String, String> labels = new TreeMap<>();
      for (int i = 0; i < labelCount; i++) {
        String name = string();
        if (labels.put(name, string()) != null) {
          throw new IllegalArgumentException("label '" + name + "' twice");
        }
      }
      return labels;
    }

    int[] buckets() {
      long n = varint();
      if (n > Latency.bucketCount() || n * 2 > bytes.length - at) {
        throw new IllegalArgumentException(n + " buckets cannot be in " + bytes.length + " bytes");
      }
      int[] buckets = new int[(int) n * 2];
      long index = -1;
      for (int i = 0; i < buckets.length; i += 2) {
        index += varint() + 1;
        long count = varint();
        if (index >= Latency.bucketCount() || count > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "bucket " + index + " with " + count + " is out of range");
        }
        buckets[i] = (int) index;
        buckets[i + 1] = (int) count;
      }
      return buckets;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SeriesSecond s
        && second == s.second
        && labels.equals(s.labels)
        && Arrays.equals(okBuckets, s.okBuckets)
        && Arrays.equals(errorBuckets, s.errorBuckets);
  }

  @Override
  public int hashCode() {
    return Objects.hash(labels, second, Arrays.hashCode(okBuckets), Arrays.hashCode(errorBuckets));
  }

  @Override
  public String toString() {
    return "SeriesSecond["
        + labels
        + " @"
        + second
        + "s, "
        + requests
        + " requests, "
        + errors
        + " errors, "
        + (okBuckets.length + errorBuckets.length) / 2
        + " buckets]";
  }
}
