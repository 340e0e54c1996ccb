package io.rollguard.cluster;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kafka records of everything but raw requests, which are {@link SeriesSecond}s: a
 * pre-aggregated latency interval (Prometheus and OTLP histograms, in the windows' bucket indexes),
 * a gauge point and a check result. One record each, told apart by the first byte; {@link #decode}
 * reads any of the four kinds and refuses anything else with a reason.
 *
 * <p>Wire forms: histogram {@code 3, endMillis, labels, errors, buckets}; gauge {@code 4, name,
 * labels, tsMillis, 8 bytes of IEEE 754 double}; check {@code 5, name, labels, tsMillis, 0|1}.
 * Labels and buckets are written as in {@link SeriesSecond}.
 */
public final class PointRecords {

  static final int HISTOGRAM = 3;
  static final int GAUGE = 4;
  static final int CHECK = 5;

  private PointRecords() {}

  /** One record of the samples topic. */
  public sealed interface Point permits Interval, GaugePoint, CheckPoint, Requests {
    Map<String, String> labels();
  }

  /** A pre-aggregated interval: {@code buckets} (index, count pairs), {@code errors} failed. */
  public record Interval(Map<String, String> labels, long endMillis, long errors, int[] buckets)
      implements Point {
    public Interval {
      labels = Map.copyOf(new TreeMap<>(labels));
      buckets = buckets.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Interval i
          && labels.equals(i.labels)
          && endMillis == i.endMillis
          && errors == i.errors
          && Arrays.equals(buckets, i.buckets);
    }

    @Override
    public int hashCode() {
      return labels.hashCode() * 31 + Arrays.hashCode(buckets);
    }

    @Override
    public String toString() {
      return "Interval[" + labels + " @" + endMillis + ", " + buckets.length / 2 + " buckets]";
    }
  }

  public record GaugePoint(String name, Map<String, String> labels, long tsMillis, double value)
      implements Point {
    public GaugePoint {
      labels = Map.copyOf(new TreeMap<>(labels));
    }
  }

  public record CheckPoint(String name, Map<String, String> labels, long tsMillis, boolean ok)
      implements Point {
    public CheckPoint {
      labels = Map.copyOf(new TreeMap<>(labels));
    }
  }

  /** A {@link SeriesSecond} read from the topic. */
  public record Requests(SeriesSecond second) implements Point {
    @Override
    public Map<String, String> labels() {
      return second.labels();
    }
  }

  public static byte[] encode(Point p) {
    if (p instanceof Requests r) {
      return r.second().encode();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    if (p instanceof Interval i) {
      out.write(HISTOGRAM);
      SeriesSecond.varint(out, i.endMillis());
      SeriesSecond.labels(out, i.labels());
      SeriesSecond.varint(out, i.errors());
      SeriesSecond.buckets(out, i.buckets());
    } else if (p instanceof GaugePoint g) {
      out.write(GAUGE);
      SeriesSecond.string(out, g.name());
      SeriesSecond.labels(out, g.labels());
      SeriesSecond.varint(out, g.tsMillis());
      long bits = Double.doubleToRawLongBits(g.value());
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (bits >>> shift) & 0xFF);
      }
    } else if (p instanceof CheckPoint c) {
      out.write(CHECK);
      SeriesSecond.string(out, c.name());
      SeriesSecond.labels(out, c.labels());
      SeriesSecond.varint(out, c.tsMillis());
      out.write(c.ok() ? 1 : 0);
    }
    return out.toByteArray();
  }

  /**
   * Reads any record of the samples topic.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static Point decode(byte[] bytes) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("an empty record");
    }
    int kind = bytes[0] & 0xFF;
    if (kind == SeriesSecond.VERSION) {
      return new Requests(SeriesSecond.decode(bytes));
    }
    SeriesSecond.Reader in = new SeriesSecond.Reader(bytes);
    in.next();
    Point p;
    switch (kind) {
      case HISTOGRAM -> {
        long end = in.varint();
        Map<String, String> labels = in.labels();
        long errors = in.varint();
        int[] buckets = in.buckets();
        long total = 0;
        for (int i = 1; i < buckets.length; i += 2) {
          total += buckets[i];
        }
        if (errors > total && total > 0) {
          throw new IllegalArgumentException(errors + " errors among " + total + " requests");
        }
        p = new Interval(labels, end, errors, buckets);
      }
      case GAUGE -> {
        String name = in.string();
        Map<String, String> labels = in.labels();
        long ts = in.varint();
        long bits = 0;
        for (int i = 0; i < 8; i++) {
          bits = (bits << 8) | in.next();
        }
        p = new GaugePoint(name, labels, ts, Double.longBitsToDouble(bits));
      }
      case CHECK -> {
        String name = in.string();
        Map<String, String> labels = in.labels();
        long ts = in.varint();
        int ok = in.next();
        if (ok > 1) {
          throw new IllegalArgumentException("a check result of " + ok);
        }
        p = new CheckPoint(name, labels, ts, ok == 1);
      }
      default -> throw new IllegalArgumentException("unknown record kind " + kind);
    }
    in.end();
    return p;
  }
}
