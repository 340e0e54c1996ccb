package io.rollguard.window;

import org.HdrHistogram.AbstractHistogram;

/**
 * The trailing window of request observations of one series: counts, errors and latency
 * distribution per time slice, in a fine tier (1 s slices) and, when windows may be longer than the
 * fine tier holds, a coarse tier (1 min slices). A sample lands in the slice of its own time stamp,
 * so late samples still count where they belong.
 *
 * <p><b>Concurrency.</b> Thread-safe: every method holds this object's monitor. Writers are the
 * ingest threads (one lock per run of samples, not per sample); readers copy what they need into
 * their own {@link RequestAccumulator}. Once {@link #evict() evicted}, a window refuses writes so
 * that a writer racing with eviction re-creates the series instead of losing samples.
 */
public final class RequestWindow {

  /** Runs at least this long are counted densely in {@link LatencyScratch}; shorter ones sorted. */
  private static final int SCRATCH_RUN = 24;

  private final Labels labels;
  private final WindowSettings settings;
  private final RequestTier fine;
  private final RequestTier coarse;
  private final SloTaps sloTaps;
  private long sloTapsVersion = -1;
  private SloCounts[] sloCounts = new SloCounts[0];
  private long lastSeenMillis;
  private boolean evicted;

  /**
   * The bucket layouts of pre-bucketed data this series received, and when each was last seen: a
   * reader whose window reaches back that far reports their error bound. Nearly always none or one.
   */
  private BucketBounds[] bounds = NO_BOUNDS;

  private long[] boundsSeenMillis = new long[0];

  private static final BucketBounds[] NO_BOUNDS = new BucketBounds[0];

  /** A series holding more layouts than this keeps the most recently seen ones. */
  private static final int MAX_LAYOUTS = 4;

  RequestWindow(Labels labels, WindowSettings settings) {
    this(labels, settings, new SloTaps());
  }

  RequestWindow(Labels labels, WindowSettings settings, SloTaps sloTaps) {
    this.labels = labels;
    this.settings = settings;
    this.sloTaps = sloTaps;
    this.fine = new RequestTier(settings.sliceMillis(), settings.fineSlots());
    this.coarse =
        settings.hasCoarseTier()
            ? new RequestTier(settings.coarseSliceMillis(), settings.coarseSlots())
            : null;
    if (coarse != null) {
      fine.feed(coarse);
    }
  }

  public Labels labels() {
    return labels;
  }

  public synchronized long lastSeenMillis() {
    return lastSeenMillis;
  }

  /**
   * Records {@code samples[from, to)}. Returns false, recording nothing, when the window was
   * evicted (the caller looks the series up again). Samples older than the window holds are
   * skipped; ingest rejects those before they get here.
   */
  public synchronized boolean record(
      RequestSamples samples, int from, int to, long receivedAtMillis, LatencyScratch scratch) {
    if (evicted) {
      return false;
    }
    int i = from;
    while (i < to) {
      long slice = Math.floorDiv(samples.tsMillis(i), fine.sliceMillis());
      int j = i + 1;
      while (j < to && Math.floorDiv(samples.tsMillis(j), fine.sliceMillis()) == slice) {
        j++;
      }
      recordRun(samples, i, j, scratch);
      i = j;
    }
    for (SloCounts counts : sloCounts()) {
      counts.count(samples, from, to);
    }
    lastSeenMillis = Math.max(lastSeenMillis, receivedAtMillis);
    return true;
  }

  /**
   * Records a pre-aggregated interval: {@code histogram} (microseconds) counted in the slice of
   * {@code endMillis}, {@code errorCount} of its observations failed.
   */
  public synchronized boolean recordHistogram(
      long endMillis,
      AbstractHistogram histogram,
      int errorCount,
      long receivedAtMillis,
      LatencyScratch scratch) {
    if (evicted) {
      return false;
    }
    scratch.recordAll(histogram);
    int n = scratch.drain();
    int total = (int) histogram.getTotalCount();
    add(endMillis, total, errorCount, scratch, n);
    for (SloCounts counts : sloCounts()) {
      counts.countHistogram(endMillis, histogram, errorCount);
    }
    lastSeenMillis = Math.max(lastSeenMillis, receivedAtMillis);
    return true;
  }

  /**
   * Records one pre-bucketed data point in the slice of {@code endMillis}: its buckets' counts at
   * the values its layout records them at, {@code errorCount} of them failed. The layout's error
   * bound is reported by readers whose window reaches back to this point.
   */
  public synchronized boolean recordBuckets(
      long endMillis,
      BucketedLatency buckets,
      int errorCount,
      long receivedAtMillis,
      LatencyScratch scratch) {
    if (evicted) {
      return false;
    }
    for (int i = 0; i < buckets.size(); i++) {
      scratch.record(buckets.microsAt(i), buckets.countAt(i));
    }
    int n = scratch.drain();
    add(endMillis, (int) buckets.total(), errorCount, scratch, n);
    for (SloCounts counts : sloCounts()) {
      counts.countBuckets(endMillis, buckets, errorCount);
    }
    noteBounds(buckets.bounds(), endMillis);
    lastSeenMillis = Math.max(lastSeenMillis, receivedAtMillis);
    return true;
  }

  private void noteBounds(BucketBounds layout, long atMillis) {
    for (int i = 0; i < bounds.length; i++) {
      if (bounds[i] == layout || bounds[i].equals(layout)) {
        boundsSeenMillis[i] = Math.max(boundsSeenMillis[i], atMillis);
        return;
      }
      if (layout.scale() != Integer.MIN_VALUE
          && bounds[i].scale() != Integer.MIN_VALUE
          && layout.zeroThresholdMicros() == bounds[i].zeroThresholdMicros()) {
        // exponential layouts differ only in scale: the coarser one bounds both
        if (layout.scale() < bounds[i].scale()) {
          bounds[i] = layout;
        }
        boundsSeenMillis[i] = Math.max(boundsSeenMillis[i], atMillis);
        return;
      }
    }
    if (bounds.length < MAX_LAYOUTS) {
      bounds = java.util.Arrays.copyOf(bounds, bounds.length + 1);
      boundsSeenMillis = java.util.Arrays.copyOf(boundsSeenMillis, bounds.length);
      bounds[bounds.length - 1] = layout;
      boundsSeenMillis[bounds.length - 1] = atMillis;
      return;
    }
    int oldest = 0;
    for (int i = 1; i < bounds.length; i++) {
      if (boundsSeenMillis[i] < boundsSeenMillis[oldest]) {
        oldest = i;
      }
    }
    bounds[oldest] = layout;
    boundsSeenMillis[oldest] = atMillis;
  }

  /** Tells {@code into} the layouts of bucketed data inside the window that ends at now. */
  private void addBoundsTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    long from = nowMillis - windowMillis - settings.coarseSliceMillis();
    for (int i = 0; i < bounds.length; i++) {
      if (boundsSeenMillis[i] >= from) {
        into.addBounds(bounds[i]);
      }
    }
  }

  /**
   * Adds the trailing {@code windowMillis} ending at {@code nowMillis} into {@code into}, slice by
   * slice: from the fine tier when it spans the window, else from the coarse tier (window rounded
   * up to its slice). For one-off reads such as queries.
   */
  public synchronized void addTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    long w = Math.min(windowMillis, settings.maxWindowMillis());
    RequestTier tier = tierFor(windowMillis);
    tier.addTo(into, nowMillis, w);
    addFineOpenSlices(tier, into, nowMillis, w);
    addBoundsTo(into, nowMillis, w);
  }

  /**
   * A read from the coarse tier also needs the fine slices still open: the coarse tier gets them
   * only once they are sealed. They are the last few seconds, inside any coarse window.
   */
  private void addFineOpenSlices(
      RequestTier tier, RequestAccumulator into, long nowMillis, long windowMillis) {
    if (tier == coarse) {
      fine.addOpenTo(
          into,
          coarse.windowStartMillis(nowMillis, windowMillis),
          coarse.windowEndMillis(nowMillis));
    }
  }

  /**
   * The same as {@link #addTo}, for readers that ask for the same window length again and again
   * (rules): the window keeps a running sum for that length, so later reads cost the window's
   * distinct buckets instead of all its slices.
   */
  public synchronized void addToRunning(
      RequestAccumulator into, long nowMillis, long windowMillis) {
    long w = Math.min(windowMillis, settings.maxWindowMillis());
    RequestTier tier = tierFor(windowMillis);
    tier.addToRunning(into, nowMillis, w);
    addFineOpenSlices(tier, into, nowMillis, w);
    addBoundsTo(into, nowMillis, w);
  }

  /** The SLO counts this series feeds, worked out again when a new set is published. */
  private SloCounts[] sloCounts() {
    SloTaps.Published published = sloTaps.current();
    if (published.version() != sloTapsVersion) {
      sloCounts = SloTaps.matching(published, labels);
      sloTapsVersion = published.version();
    }
    return sloCounts;
  }

  private RequestTier tierFor(long windowMillis) {
    return settings.fineTierServes(windowMillis) ? fine : coarse;
  }

  /** Approximate heap bytes this window holds (benchmarks report it per series). */
  public synchronized long footprintBytes() {
    return 48 + fine.footprintBytes() + (coarse == null ? 0 : coarse.footprintBytes());
  }

  /** Marks this window evicted unless it saw data after {@code cutoffMillis}; true if evicted. */
  synchronized boolean evictIfIdleSince(long cutoffMillis) {
    if (lastSeenMillis > cutoffMillis) {
      return false;
    }
    evicted = true;
    return true;
  }

  private void recordRun(RequestSamples samples, int from, int to, LatencyScratch scratch) {
    int failed = 0;
    for (int k = from; k < to; k++) {
      if (samples.isError(k)) {
        failed++;
      }
    }
    int requests = to - from;
    int n;
    if (requests < SCRATCH_RUN) {
      n = scratch.sortSmallRun(samples, from, to);
    } else {
      for (int k = from; k < to; k++) {
        scratch.record(samples.micros(k));
      }
      n = scratch.drain();
    }
    add(samples.tsMillis(from), requests, failed, scratch, n);
  }

  /**
   * Into the fine tier, which feeds the coarse one as its slices are sealed; what the fine tier no
   * longer holds open (a late sample) goes to the coarse tier directly, so it is counted there
   * exactly once.
   */
  private void add(long ts, int requests, int failed, LatencyScratch scratch, int n) {
    int where = fine.add(ts, requests, failed, scratch.indexes(), scratch.counts(), n);
    if (coarse != null && where != RequestTier.ADDED_OPEN) {
      coarse.add(ts, requests, failed, scratch.indexes(), scratch.counts(), n);
    }
  }
}
