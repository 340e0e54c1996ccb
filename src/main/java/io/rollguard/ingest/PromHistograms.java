package io.rollguard.ingest;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reassembles Prometheus classic histograms from remote write: the {@code _bucket{le=...}} series
 * of one label set are separate counters, and Prometheus sends them in any order, in any request
 * (its queue shards split series by hash). The buckets of one scrape (one time stamp) are gathered
 * until every bucket known from the scrape before has arrived; then the scrape counts what it adds
 * to the last complete one, bucket by bucket.
 *
 * <ul>
 *   <li>The first complete scrape of a histogram is its starting line, as for Prometheus' own
 *       {@code rate()}: it counts nothing.
 *   <li>A bucket that went down is a counter reset (the target restarted): the scrape counts whole.
 *   <li>A scrape not newer than the last one counted (a resent sample) adds nothing; a scrape that
 *       never completes (a bucket lost) is overtaken by the next complete one, whose difference
 *       carries its counts, so nothing is lost.
 *   <li>A bucket that was not there before changes the layout: the next scrape is a new starting
 *       line.
 * </ul>
 *
 * <p>Thread-safe: shared by every event loop; each histogram's state is guarded by its monitor.
 */
public final class PromHistograms {

  /** At most this many scrapes of one histogram wait for their buckets. */
  private static final int MAX_PENDING = 16;

  /** What a complete scrape adds: per-bucket counts for the ascending upper bounds {@code le}. */
  record Increase(long tsMillis, double[] le, long[] counts) {}

  static final class Histogram {
    /** Ascending upper bounds of the last complete scrape (may end with +Inf); null: none yet. */
    double[] le;

    double[] cumulative;
    long tsMillis = Long.MIN_VALUE;
    final TreeMap<Long, Map<Double, Double>> pending = new TreeMap<>();
  }

  private final StreamTable<Histogram> table;

  /** At most {@code max} histograms, forgotten after {@code idleMillis} without a sample. */
  public PromHistograms(int max, long idleMillis, long startedAtMillis) {
    this.table = new StreamTable<>(max, idleMillis, startedAtMillis);
  }

  /** The histogram of {@code key}; null when the cap refuses a new one. */
  Histogram histogram(String key, long nowMillis) {
    return table.get(key, nowMillis, Histogram::new);
  }

  /**
   * Takes one bucket sample ({@code le}, cumulative {@code value} at {@code tsMillis}); returns
   * what a scrape this completed adds, or null. Caller holds {@code h}'s monitor.
   */
  Increase accept(Histogram h, double le, long tsMillis, double value) {
    if (tsMillis <= h.tsMillis) {
      if (h.le != null && Arrays.binarySearch(h.le, le) < 0) {
        h.le = null; // a bucket the layout did not have: start over at the next scrape
        h.tsMillis = Long.MIN_VALUE;
      }
      return null;
    }
    Map<Double, Double> scrape = h.pending.computeIfAbsent(tsMillis, t -> new TreeMap<>());
    scrape.put(le, value);
    while (h.pending.size() > MAX_PENDING) {
      h.pending.pollFirstEntry();
    }
    if (h.le == null) {
      // no layout yet: a scrape is taken as complete once a newer one begins
      Map.Entry<Long, Map<Double, Double>> first = h.pending.firstEntry();
      if (h.pending.size() < 2) {
        return null;
      }
      h.pending.remove(first.getKey());
      setLine(h, first.getKey(), first.getValue());
      if (first.getKey() == tsMillis) {
        return null;
      }
      // and the scrape of this sample may be complete already
    }
    if (scrape.size() < h.le.length || !hasAll(scrape, h.le)) {
      return null;
    }
    if (scrape.size() > h.le.length) {
      h.pending.headMap(tsMillis, true).clear();
      setLine(h, tsMillis, scrape); // more buckets than before: a new layout, a new line
      return null;
    }
    Increase increase = increase(h, tsMillis, scrape);
    h.pending.headMap(tsMillis, true).clear();
    return increase;
  }

  private static boolean hasAll(Map<Double, Double> scrape, double[] le) {
    for (double b : le) {
      if (!scrape.containsKey(b)) {
        return false;
      }
    }
    return true;
  }

  private static void setLine(Histogram h, long tsMillis, Map<Double, Double> scrape) {
    h.le = new double[scrape.size()];
    h.cumulative = new double[scrape.size()];
    int i = 0;
    for (var e : scrape.entrySet()) { // a TreeMap: ascending le
      h.le[i] = e.getKey();
      h.cumulative[i++] = e.getValue();
    }
    h.tsMillis = tsMillis;
  }

  private static Increase increase(Histogram h, long tsMillis, Map<Double, Double> scrape) {
    int n = h.le.length;
    double[] now = new double[n];
    boolean reset = false;
    for (int i = 0; i < n; i++) {
      now[i] = scrape.get(h.le[i]);
      reset |= now[i] < h.cumulative[i];
    }
    long[] counts = new long[n];
    double below = 0;
    for (int i = 0; i < n; i++) {
      double upTo = reset ? now[i] : now[i] - h.cumulative[i]; // observations <= le[i]
      counts[i] = Math.max(0, Math.round(upTo - below));
      below = Math.max(below, upTo);
    }
    double[] le = h.le;
    h.cumulative = now;
    h.tsMillis = tsMillis;
    return new Increase(tsMillis, le, counts);
  }

  int size() {
    return table.size();
  }
}
