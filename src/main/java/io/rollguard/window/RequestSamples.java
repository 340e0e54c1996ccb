package io.rollguard.window;

import java.util.Arrays;

/**
 * A reusable, columnar buffer of request observations on their way into a window: time stamp,
 * latency in microseconds and outcome. Ingest fills it without allocating per sample. Not
 * thread-safe: owned by one ingest thread.
 */
public final class RequestSamples {

  private long[] tsMillis;
  private long[] micros;
  private boolean[] error;
  private int size;

  public RequestSamples() {
    this(256);
  }

  /** A buffer with room for {@code capacity} samples before it grows. */
  public RequestSamples(int capacity) {
    int c = Math.max(1, capacity);
    tsMillis = new long[c];
    micros = new long[c];
    error = new boolean[c];
  }

  /** Appends {@code from[start, end)}. */
  public void addAll(RequestSamples from, int start, int end) {
    int n = end - start;
    if (size + n > tsMillis.length) {
      int grown = Math.max(size + n, 2 * tsMillis.length);
      tsMillis = Arrays.copyOf(tsMillis, grown);
      micros = Arrays.copyOf(micros, grown);
      error = Arrays.copyOf(error, grown);
    }
    System.arraycopy(from.tsMillis, start, tsMillis, size, n);
    System.arraycopy(from.micros, start, micros, size, n);
    System.arraycopy(from.error, start, error, size, n);
    size += n;
  }

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

  /** Empties the buffer and gives back what a burst grew it to. */
  public void clearAndShrink(int capacity) {
    size = 0;
    if (tsMillis.length > capacity) {
      tsMillis = new long[capacity];
      micros = new long[capacity];
      error = new boolean[capacity];
    }
  }

  public long tsMillis(int i) {
    return tsMillis[i];
  }

  public long micros(int i) {
    return micros[i];
  }

  public boolean isError(int i) {
    return error[i];
  }
}
