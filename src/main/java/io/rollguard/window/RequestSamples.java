package io.rollguard.window;

import java.util.Arrays;

/**
 * A reusable, columnar buffer of request observations on their way into a window: time stamp,
 * latency in microseconds and outcome. Ingest fills it without allocating per sample. Not
 * thread-safe: owned by one ingest thread.
 */
public final class RequestSamples {

  private long[] tsMillis = new long[256];
  private long[] micros = new long[256];
  private boolean[] error = new boolean[256];
  private int size;

  public void add(long tsMillis, long latencyMicros, boolean isError) {
    if (size == this.tsMillis.length) {
      int grown = size * 2;
      this.tsMillis = Arrays.copyOf(this.tsMillis, grown);
      this.micros = Arrays.copyOf(this.micros, grown);
      this.error = Arrays.copyOf(this.error, grown);
    }
    this.tsMillis[size] = tsMillis;
    this.micros[size] = latencyMicros;
    this.error[size] = isError;
    size++;
  }

  public int size() {
    return size;
  }

  /**
   * Stamps every sample with {@code tsMillis} (benchmarks replay one buffer second after second).
   */
  public void restamp(long tsMillis) {
    Arrays.fill(this.tsMillis, 0, size, tsMillis);
  }

  /** Drops every sample from {@code newSize} on. */
  public void truncate(int newSize) {
    if (newSize < 0 || newSize > size) {
      throw new IllegalArgumentException("cannot truncate " + size + " samples to " + newSize);
    }
    size = newSize;
  }

  public void clear() {
    size = 0;
  }

  long tsMillis(int i) {
    return tsMillis[i];
  }

  long micros(int i) {
    return micros[i];
  }

  boolean isError(int i) {
    return error[i];
  }
}
