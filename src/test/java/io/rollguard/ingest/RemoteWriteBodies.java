package io.rollguard.ingest;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds Prometheus remote write 1.0 bodies for tests: {@code WriteRequest} protobuf written with
 * protobuf's own {@link CodedOutputStream}, in a Snappy block (snappy-java), as Prometheus sends.
 */
public final class RemoteWriteBodies {

  private final List<byte[]> series = new ArrayList<>();

  /** A float series: labels as name, value pairs ({@code __name__} first), samples (value, ts). */
  public RemoteWriteBodies series(String[] labels, double[] values, long[] timestamps) {
    series.add(
        message(
            out -> {
              writeLabels(out, labels);
              for (int i = 0; i < values.length; i++) {
                int v = i;
                out.writeByteArray(
                    2,
                    message(
                        s -> {
                          s.writeDouble(1, values[v]);
                          s.writeInt64(2, timestamps[v]);
                        }));
              }
            }));
    return this;
  }

  /**
   * A native histogram series: integer counts, {@code schema}, one positive span from {@code
   * offset} holding {@code counts} (absolute; written delta-encoded), {@code zeroCount}.
   */
  public RemoteWriteBodies nativeHistogram(
      String[] labels, int schema, int offset, long[] counts, long zeroCount, long ts) {
    long total = zeroCount;
    for (long c : counts) {
      total += c;
    }
    long count = total;
    series.add(
        message(
            out -> {
              writeLabels(out, labels);
              out.writeByteArray(
                  4,
                  message(
                      h -> {
                        h.writeUInt64(1, count);
                        h.writeDouble(3, 1.0);
                        h.writeSInt32(4, schema);
                        h.writeDouble(5, 0);
                        h.writeUInt64(6, zeroCount);
                        h.writeByteArray(
                            11,
                            message(
                                span -> {
                                  span.writeSInt32(1, offset);
                                  span.writeUInt32(2, counts.length);
                                }));
                        long previous = 0;
                        for (long c : counts) {
                          h.writeSInt64(12, c - previous);
                          previous = c;
                        }
                        h.writeInt64(15, ts);
                      }));
            }));
    return this;
  }

  /** Prometheus' stale marker for a native histogram series: {@code sum} is the stale NaN. */
  public RemoteWriteBodies staleNativeHistogram(String[] labels, long ts) {
    series.add(
        message(
            out -> {
              writeLabels(out, labels);
              out.writeByteArray(
                  4,
                  message(
                      h -> {
                        h.writeDouble(3, Double.longBitsToDouble(0x7ff0000000000002L));
                        h.writeInt64(15, ts);
                      }));
            }));
    return this;
  }

  /** The WriteRequest, not compressed. */
  public byte[] proto() {
    return message(
        out -> {
          for (byte[] s : series) {
            out.writeByteArray(1, s);
          }
        });
  }

  /** The body as sent: the WriteRequest in a Snappy block. */
  public byte[] snappy() {
    return snappy(proto());
  }

  /** {@code raw} in a Snappy block, by Snappy's reference implementation (snappy-java). */
  public static byte[] snappy(byte[] raw) {
    try {
      return org.xerial.snappy.Snappy.compress(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeLabels(CodedOutputStream out, String[] labels) throws IOException {
    for (int i = 0; i < labels.length; i += 2) {
      int k = i;
      out.writeByteArray(
          1,
          message(
              l -> {
                l.writeString(1, labels[k]);
                l.writeString(2, labels[k + 1]);
              }));
    }
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      w.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
