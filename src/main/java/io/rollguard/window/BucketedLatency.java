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
  private int size;
  private long total;

  public BucketedLatency(BucketBounds bounds) {
    this.bounds = bounds;
  }

  public BucketBounds bounds() {
    return bounds;
  }

  /** Adds {@code count} (> 0) observations at {@code micros}. */
  public void add(double micros, int count) {
    if (count <= 0) {
      return;
    }
    if (size == micros().length) {
      this.micros = Arrays.copyOf(this.micros, size * 2);
      this.counts = Arrays.copyOf(counts, size * 2);
    }
    this.micros[size] = Latency.millisToMicros(micros / 1000.0);
    counts[size] = count;
    size++;
    total += count;
  }

  private long[] micros() {
    return micros;
  }

  /** How many observations in all. */
  public long total() {
    return total;
  }

  int size() {
    return size;
  }

  long microsAt(int i) {
    return micros[i];
  }

  int countAt(int i) {
    return counts[i];
  }

  /** How many observations are faster than {@code limitMicros} (an SLO's latency threshold). */
  long countBelow(long limitMicros) {
    long below = 0;
    for (int i = 0; i < size; i++) {
      if (micros[i] < limitMicros) {
        below += counts[i];
      }
    }
    return below;
  }
}
