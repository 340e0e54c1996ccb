package io.rollguard.window;

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
 * <p>Slices name a bucket by its index in HdrHistogram's counts array ({@link #indexOf}); readers
 * record {@link #valueOf} that index back into a real {@code Histogram}.
 */
public final class Latency {

  public static final long LOWEST_DISCERNIBLE_MICROS = 1;
  public static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;
  public static final int SIGNIFICANT_DIGITS = 2;

  /**
   * Bits of HdrHistogram's {@code subBucketCount} for these digits: the smallest power of two
   * holding {@code 2 * 10^digits} (8 for two digits: 256 sub-buckets). All the bucket geometry
   * below derives from it.
   */
  private static final int SUB_BUCKET_BITS =
      64 - Long.numberOfLeadingZeros(2 * (long) Math.pow(10, SIGNIFICANT_DIGITS) - 1);

  /** Sub-buckets of the first bucket: values below this are kept exactly (256 µs). */
  private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;

  /** Each further power of two splits into this many buckets (128). */
  private static final int HALF_BITS = SUB_BUCKET_BITS - 1;

  private static final int HALF = 1 << HALF_BITS;

  /** Upper bound of |reported - exact| / exact for any quantile a window reports (1/256). */
  public static final double QUANTILE_RELATIVE_ERROR = 1.0 / (2 * HALF);

  /** How many buckets the scale has (3,328): the most distinct indexes a slice can hold. */
  static final int BUCKET_COUNT = indexOf(HIGHEST_TRACKABLE_MICROS) + 1;

  private Latency() {}

  /** A dense histogram on this scale; owned by whoever creates it. */
  public static Histogram newHistogram() {
    return new Histogram(LOWEST_DISCERNIBLE_MICROS, HIGHEST_TRACKABLE_MICROS, SIGNIFICANT_DIGITS);
  }

  /** Milliseconds (as on the wire) to microseconds, clamped to the trackable range. */
  public static long millisToMicros(double millis) {
    double micros = millis * 1000.0;
    if (micros >= HIGHEST_TRACKABLE_MICROS) {
      return HIGHEST_TRACKABLE_MICROS;
    }
    return Math.max(0, Math.round(micros));
  }

  /**
   * The bucket index of a latency in microseconds: the position of its counter in HdrHistogram's
   * own counts array for this scale (values below 256 µs count one by one, each further power of
   * two splits into 128 buckets). Indexes order like values; {@code LatencyTest} holds this to the
   * library's {@code lowestEquivalentValue}.
   */
  static int indexOf(long micros) {
    long v = Math.max(0, Math.min(micros, HIGHEST_TRACKABLE_MICROS));
    if (v < SUB_BUCKETS) {
      return (int) v;
    }
    int shift = 63 - Long.numberOfLeadingZeros(v) - HALF_BITS;
    return shift * HALF + (int) (v >>> shift);
  }

  /** The lowest value in bucket {@code index}: any value of the bucket records into it. */
  static long valueOf(int index) {
    if (index < SUB_BUCKETS) {
      return index;
    }
    int shift = (index >>> HALF_BITS) - 1;
    return (long) ((index & (HALF - 1)) + HALF) << shift;
  }

  /** {@link #indexOf}, for codecs outside the windows (cluster records). */
  public static int bucketOf(long micros) {
    return indexOf(micros);
  }

  /** How many buckets there are: indexes run from 0 to this, exclusive. */
  public static int bucketCount() {
    return BUCKET_COUNT;
  }

  /** {@link #valueOf}, for codecs outside the windows. */
  public static long bucketValue(int index) {
    return valueOf(index);
  }

  /** How many microseconds bucket {@code index} spans. */
  static long widthOf(int index) {
    return index < SUB_BUCKETS ? 1 : 1L << ((index >>> HALF_BITS) - 1);
  }
}
