package io.rollguard.window;

import java.util.Arrays;

/**
 * The latencies of one pre-bucketed data point (an OTLP histogram point, a Prometheus histogram
 * sample): how many observations each bucket holds, at the value its {@link BucketBounds} records
 * them at. Filled by ingest, recorded with {@link RequestWindow#recordBuckets}. Not thread-safe;
 * immutable once staged.
 */
public final class BucketedLatency {

  private final BucketBounds bounds;
  private long[] micros = new long[16];
  private int[] counts = new int[16];
  private double[] upperMicros = new double[16];
  private int size;
  private long total;

  public BucketedLatency(BucketBounds bounds) {
    this.bounds = bounds;
  }

  /**
   * The latencies of an exponential histogram point: {@code zeros} in the zero bucket (recorded as
   * 0) and {@code counts[i]} in bucket {@code offset + i} of {@code scale}; bounds and threshold in
   * the metric's unit, {@code microsPerUnit} µs each. Counts above 2^31-1 are clamped.
   */
  public static BucketedLatency exponential(
      int scale,
      double zeroThreshold,
      double microsPerUnit,
      long zeros,
      int offset,
      long[] counts) {
    BucketBounds layout = BucketBounds.exponential(scale, zeroThreshold * microsPerUnit);
    BucketedLatency latency = new BucketedLatency(layout);
    latency.add(0, (int) Math.min(Integer.MAX_VALUE, zeros), zeroThreshold * microsPerUnit);
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] != 0) {
        latency.add(
            layout.exponentialValue(offset + i) * microsPerUnit,
            (int) Math.min(Integer.MAX_VALUE, counts[i]),
            layout.exponentialUpper(offset + i) * microsPerUnit);
      }
    }
    return latency;
  }

  public BucketBounds bounds() {
    return bounds;
  }

  /** Adds {@code count} (> 0) observations at {@code micros} (their bucket's upper end). */
  public void add(double micros, int count) {
    add(micros, count, micros);
  }

  /**
   * Adds {@code count} (> 0) observations recorded at {@code micros}, of a bucket that ends at
   * {@code upperMicros}: an SLO's latency threshold counts them fast when the bucket ends at or
   * below it.
   */
  public void add(double micros, int count, double upperMicros) {
    if (count <= 0) {
      return;
    }
    if (size == micros().length) {
      this.micros = Arrays.copyOf(this.micros, size * 2);
      this.counts = Arrays.copyOf(counts, size * 2);
      this.upperMicros = Arrays.copyOf(this.upperMicros, size * 2);
    }
    this.micros[size] = Latency.millisToMicros(micros / 1000.0);
    this.upperMicros[size] = upperMicros;
    counts[size] = count;
    size++;
    total += count;
  }

  /** Adds {@code count} observations whose latency is unknown (a histogram of only +Inf). */
  public void addWithoutLatency(int count) {
    if (count > 0) {
      total += count;
    }
  }

  private long[] micros() {
    return micros;
  }

  /** How many observations in all. */
  public long total() {
    return total;
  }

  public int size() {
    return size;
  }

  public long microsAt(int i) {
    return micros[i];
  }

  public int countAt(int i) {
    return counts[i];
  }

  /**
   * How many observations are within {@code limitMicros} (an SLO's latency threshold): those of
   * buckets that end at or below it. Observations without a latency are not.
   */
  long countBelow(long limitMicros) {
    long below = 0;
    for (int i = 0; i < size; i++) {
      if (upperMicros[i] <= limitMicros) {
        below += counts[i];
      }
    }
    return below;
  }
}
