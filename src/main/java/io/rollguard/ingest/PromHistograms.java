package io.rollguard.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 *   <li>A bucket that was not there before changes the layout: this scrape is a new starting line;
 *       a layout that lost a bucket is found when no scrape completes in {@code MAX_PENDING}.
 *   <li>A histogram first seen on a target heard from before began since: its first scrape counts
 *       whole.
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

    /** The last scrape counted (or taken as the line): anything not newer adds nothing. */
    long tsMillis = Long.MIN_VALUE;

    long firstSeenMillis = Long.MIN_VALUE;
    boolean wholeFirst;
    final TreeMap<Long, Map<Double, Double>> pending = new TreeMap<>();
  }

  private final StreamTable<Histogram> table;

  /** At most {@code max} histograms, forgotten after {@code idleMillis} without a sample. */
  public PromHistograms(int max, long idleMillis, long startedAtMillis) {
    this.table = new StreamTable<>(max, idleMillis, startedAtMillis);
    this.targets = new StreamTable<>(max, idleMillis, startedAtMillis);
  }

  /** The histogram of {@code key}; null when the cap refuses a new one. */
  Histogram histogram(String key, long nowMillis) {
    return table.get(key, nowMillis, Histogram::new);
  }

  /** At most this many buckets per histogram (a scrape with more is refused). */
  static final int MAX_BUCKETS = 1_024;

  /**
   * Takes one bucket sample ({@code le}, cumulative {@code value} at {@code tsMillis}); returns
   * what scrapes this completed add (usually none or one). {@code newOnKnownTarget}: the
   * histogram's target was heard from before this sample's time, so a histogram seen for the first
   * time began since (a first 5xx series created by its client library) and its first scrape counts
   * whole. Caller holds {@code h}'s monitor.
   */
  List<Increase> accept(
      Histogram h, double le, long tsMillis, double value, boolean newOnKnownTarget) {
    if (tsMillis <= h.tsMillis) {
      if (h.le != null && Arrays.binarySearch(h.le, le) < 0) {
        h.le = null; // a bucket the layout did not have: a new line from the next scrape on
      }
      return List.of();
    }
    Map<Double, Double> scrape = h.pending.computeIfAbsent(tsMillis, t -> new TreeMap<>());
    if (scrape.size() >= MAX_BUCKETS && !scrape.containsKey(le)) {
      return List.of();
    }
    scrape.put(le, value);
    if (h.tsMillis == Long.MIN_VALUE && h.firstSeenMillis == Long.MIN_VALUE) {
      h.firstSeenMillis = tsMillis;
      h.wholeFirst = newOnKnownTarget;
    }
    if (h.pending.size() > MAX_PENDING) {
      // no scrape completed in MAX_PENDING: the layout lost a bucket; a new line from the oldest
      h.le = null;
    }
    List<Increase> out = new ArrayList<>(1);
    if (h.le == null) {
      // no layout yet: a scrape is taken as complete once a newer one begins
      if (h.pending.size() < 2) {
        return out;
      }
      Map.Entry<Long, Map<Double, Double>> first = h.pending.pollFirstEntry();
      boolean whole = h.wholeFirst && h.tsMillis == Long.MIN_VALUE;
      if (whole) {
        h.le = new double[0]; // counted from zero: the first scrape is all new
        h.cumulative = new double[0];
        out.add(increase(h, first.getKey(), first.getValue(), true));
      } else {
        setLine(h, first.getKey(), first.getValue());
      }
      if (first.getKey() == tsMillis) {
        return out;
      }
      // and the scrape of this sample may be complete already
    }
    if (scrape.size() < h.le.length || !hasAll(scrape, h.le)) {
      return out;
    }
    if (scrape.size() > h.le.length) {
      h.pending.headMap(tsMillis, true).clear();
      setLine(h, tsMillis, scrape); // more buckets than before: a new layout, a new line
      return out;
    }
    out.add(increase(h, tsMillis, scrape, false));
    h.pending.headMap(tsMillis, true).clear();
    return out;
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

  /**
   * What {@code scrape} adds to the line ({@code fromZero}: all of it, and it becomes the line).
   */
  private static Increase increase(
      Histogram h, long tsMillis, Map<Double, Double> scrape, boolean fromZero) {
    if (fromZero) {
      h.le = new double[scrape.size()];
      h.cumulative = new double[scrape.size()];
      int i = 0;
      for (Double b : scrape.keySet()) {
        h.le[i++] = b;
      }
    }
    int n = h.le.length;
    double[] now = new double[n];
    boolean reset = fromZero;
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

  /** Targets (service and instance) heard from, with the earliest time stamp seen of each. */
  private final StreamTable<long[]> targets;

  /**
   * Whether {@code target} was heard from before {@code tsMillis}; notes it at {@code tsMillis}.
   */
  boolean heardBefore(String target, long tsMillis, long nowMillis) {
    long[] first = targets.get(target, nowMillis, () -> new long[] {Long.MAX_VALUE});
    if (first == null) {
      return false;
    }
    synchronized (first) {
      boolean before = first[0] < tsMillis;
      first[0] = Math.min(first[0], tsMillis);
      return before;
    }
  }

  int size() {
    return table.size();
  }
}
