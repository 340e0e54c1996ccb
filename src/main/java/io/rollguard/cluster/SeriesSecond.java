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
 * second, the request and error counts, and the latency distribution as (bucket, count) pairs in
 * the windows' own bucket indexes ({@link Latency#bucketOf}), so the owner adds them to its window
 * as they are. Immutable; {@code buckets} holds index, count, index, count, ... ascending.
 *
 * <p>Wire form, version 1: a version byte, the second and the label count as varints, each label as
 * length-prefixed UTF-8 name and value, the request and error counts, the number of buckets, then
 * each bucket as the varint gap to the previous index and the varint count. {@link #decode} refuses
 * anything else (wrong version, truncated, counts that do not add up, too many labels or bytes),
 * and never allocates more than the record's own length suggests.
 */
public final class SeriesSecond {

  static final int VERSION = 1;
  static final int MAX_LABELS = 64;
  static final int MAX_STRING_BYTES = 4_096;

  private final Map<String, String> labels;
  private final long second;
  private final long requests;
  private final long errors;
  private final int[] buckets;

  /**
   * @param buckets index, count pairs, ascending by index, every count positive
   * @throws IllegalArgumentException when the counts do not add up or the pairs are not ordered
   */
  public SeriesSecond(
      Map<String, String> labels, long second, long requests, long errors, int[] buckets) {
    this.labels = Map.copyOf(new TreeMap<>(labels));
    this.second = second;
    this.requests = requests;
    this.errors = errors;
    this.buckets = buckets.clone();
    check();
  }

  private void check() {
    if (second < 0 || requests < 0 || errors < 0 || errors > requests) {
      throw new IllegalArgumentException(
          "counts do not add up: " + requests + " requests, " + errors + " errors");
    }
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
    if (total != requests) {
      throw new IllegalArgumentException(
          "the buckets hold " + total + " requests, the record says " + requests);
    }
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

  /** A copy of the (index, count) pairs. */
  public int[] buckets() {
    return buckets.clone();
  }

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + buckets.length * 2);
    out.write(VERSION);
    varint(out, second);
    varint(out, labels.size());
    for (var e : new TreeMap<>(labels).entrySet()) {
      string(out, e.getKey());
      string(out, e.getValue());
    }
    varint(out, requests);
    varint(out, errors);
    varint(out, buckets.length / 2);
    int previous = -1;
    for (int i = 0; i < buckets.length; i += 2) {
      varint(out, buckets[i] - previous - 1L);
      varint(out, buckets[i + 1]);
      previous = buckets[i];
    }
    return out.toByteArray();
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
    long labelCount = in.varint();
    if (labelCount > MAX_LABELS) {
      throw new IllegalArgumentException(labelCount + " labels, more than " + MAX_LABELS);
    }
    Map<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelCount; i++) {
      String name = in.string();
      if (labels.put(name, in.string()) != null) {
        throw new IllegalArgumentException("label '" + name + "' twice");
      }
    }
    long requests = in.varint();
    long errors = in.varint();
    long n = in.varint();
    if (n > Latency.bucketCount() || n * 2 > bytes.length) {
      throw new IllegalArgumentException(n + " buckets cannot be in " + bytes.length + " bytes");
    }
    int[] buckets = new int[(int) n * 2];
    long index = -1;
    for (int i = 0; i < buckets.length; i += 2) {
      index += in.varint() + 1;
      long count = in.varint();
      if (index >= Latency.bucketCount() || count > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "bucket " + index + " with " + count + " is out of range");
      }
      buckets[i] = (int) index;
      buckets[i + 1] = (int) count;
    }
    if (!in.atEnd()) {
      throw new IllegalArgumentException("trailing bytes after the record");
    }
    return new SeriesSecond(labels, second, requests, errors, buckets);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    varint(out, b.length);
    out.write(b, 0, b.length);
  }

  /** Reads varints and strings, refusing to run past the end. */
  private static final class Reader {
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

    boolean atEnd() {
      return at == bytes.length;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SeriesSecond s
        && second == s.second
        && requests == s.requests
        && errors == s.errors
        && labels.equals(s.labels)
        && Arrays.equals(buckets, s.buckets);
  }

  @Override
  public int hashCode() {
    return Objects.hash(labels, second, requests, errors, Arrays.hashCode(buckets));
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
        + buckets.length / 2
        + " buckets]";
  }
}
