package io.rollguard.window;

import java.util.Arrays;

/**
 * The ordered results of one health check (pass or fail), kept for the longest window. A result
 * arriving late is inserted at its place in time. At most {@link #MAX_RESULTS} results are kept
 * (more than one a second for an hour); beyond that the oldest are dropped.
 *
 * <p><b>Concurrency.</b> Thread-safe: every method holds this object's monitor; see {@link
 * RequestWindow} for eviction.
 */
public final class CheckWindow {

  static final int MAX_RESULTS = 4096;

  private final String name;
  private final Labels labels;
  private final long retentionMillis;
  private long[] ts = new long[8];
  private boolean[] ok = new boolean[8];
  private int size;
  private long lastSeenMillis;
  private boolean evicted;

  CheckWindow(String name, Labels labels, WindowSettings settings) {
    this.name = name;
    this.labels = labels;
    this.retentionMillis = settings.maxWindowMillis() + settings.maxFutureSkewMillis();
  }

  public String name() {
    return name;
  }

  public Labels labels() {
    return labels;
  }

  public synchronized long lastSeenMillis() {
    return lastSeenMillis;
  }

  /** Records one result; false when evicted (look the series up again). */
  public synchronized boolean record(long tsMillis, boolean passed, long receivedAtMillis) {
    if (evicted) {
      return false;
    }
    dropOlderThan(receivedAtMillis - retentionMillis);
    if (size == MAX_RESULTS) {
      dropFirst(1);
    }
    if (size == ts.length) {
      ts = Arrays.copyOf(ts, size * 2);
      ok = Arrays.copyOf(ok, size * 2);
    }
    int at = size;
    while (at > 0 && ts[at - 1] > tsMillis) {
      at--;
    }
    System.arraycopy(ts, at, ts, at + 1, size - at);
    System.arraycopy(ok, at, ok, at + 1, size - at);
    ts[at] = tsMillis;
    ok[at] = passed;
    size++;
    lastSeenMillis = Math.max(lastSeenMillis, receivedAtMillis);
    return true;
  }

  /** The results stamped in {@code (nowMillis - windowMillis, nowMillis]}. */
  public synchronized CheckStats stats(long nowMillis, long windowMillis) {
    long from = nowMillis - windowMillis;
    int total = 0;
    int failed = 0;
    int trailingFailures = 0;
    boolean trailing = true;
    for (int i = size - 1; i >= 0 && ts[i] > from; i--) {
      if (ts[i] > nowMillis) {
        continue;
      }
      total++;
      if (!ok[i]) {
        failed++;
        if (trailing) {
          trailingFailures++;
        }
      } else {
        trailing = false;
      }
    }
    return new CheckStats(total, failed, trailingFailures);
  }

  /** Marks this window evicted unless it saw data after {@code cutoffMillis}; true if evicted. */
  synchronized boolean evictIfIdleSince(long cutoffMillis) {
    if (lastSeenMillis > cutoffMillis) {
      return false;
    }
    evicted = true;
    return true;
  }

  private void dropOlderThan(long cutoffMillis) {
    int old = 0;
    while (old < size && ts[old] <= cutoffMillis) {
      old++;
    }
    dropFirst(old);
  }

  private void dropFirst(int n) {
    if (n == 0) {
      return;
    }
    System.arraycopy(ts, n, ts, 0, size - n);
    System.arraycopy(ok, n, ok, 0, size - n);
    size -= n;
  }
}
