package io.rollguard.window;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/**
 * The latency scale every window shares: microseconds from 1 µs to 1 h, two significant digits.
 *
 * <p>Two digits make each bucket at most 1/128 of its value wide; windows report a bucket's median,
 * so a reported quantile is within {@link #QUANTILE_RELATIVE_ERROR} (1/256, about 0.39%) of the
 * exact quantile of the same samples, inside the SPEC's 1%. Values below 256 µs are kept to the
 * microsecond. A dense histogram at this scale holds 3,328 counters (27 KB as longs), which is why
 * slices keep only their non-empty buckets ({@link LatencySlice}) and only readers and scratch
 * space use dense histograms.
 *
 * <p>A bucket is identified by its lowest equivalent value, which fits an unsigned int at this
 * range: that int is the key slices store.
 */
public final class Latency {

  public static final long LOWEST_DISCERNIBLE_MICROS = 1;
  public static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;
  public static final int SIGNIFICANT_DIGITS = 2;

  /** Upper bound of |reported - exact| / exact for any quantile a window reports. */
  public static final double QUANTILE_RELATIVE_ERROR = 1.0 / 256;

  /**
   * Used only for its pure value-to-bucket arithmetic, which reads fields fixed at construction
   * (auto-resize is off), so sharing it between threads is safe.
   */
  private static final Histogram SCALE = newHistogram();

  /** How many buckets the scale has (3,328): the most distinct keys a slice can hold. */
  static final int BUCKET_COUNT = countBuckets();

  private Latency() {}

  /** A dense histogram on this scale; owned by whoever creates it. */
  public static Histogram newHistogram() {
    return new Histogram(LOWEST_DISCERNIBLE_MICROS, HIGHEST_TRACKABLE_MICROS, SIGNIFICANT_DIGITS);
  }

  private static int countBuckets() {
    int n = 0;
    for (var ignored : SCALE.allValues()) {
      n++;
    }
    return n;
  }

  /** Milliseconds (as on the wire) to microseconds, clamped to the trackable range. */
  public static long millisToMicros(double millis) {
    double micros = millis * 1000.0;
    if (micros >= HIGHEST_TRACKABLE_MICROS) {
      return HIGHEST_TRACKABLE_MICROS;
    }
    return Math.max(0, Math.round(micros));
  }

  /** The bucket key of a latency in microseconds. */
  static int keyOf(long micros) {
    return (int) SCALE.lowestEquivalentValue(Math.min(micros, HIGHEST_TRACKABLE_MICROS));
  }

  /** A value that lands in the bucket {@code key} names. */
  static long valueOf(int key) {
    return Integer.toUnsignedLong(key);
  }

  /**
   * The reported value (median of its bucket) of a quantile {@code q} in [0, 1], in milliseconds.
   */
  public static double quantileMillis(AbstractHistogram histogram, double q) {
    long bucketValue = histogram.getValueAtPercentile(q * 100.0);
    return histogram.medianEquivalentValue(bucketValue) / 1000.0;
  }
}
