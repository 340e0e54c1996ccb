package io.rollguard.window;

import org.HdrHistogram.AbstractHistogram;

/**
 * The trailing window of request observations of one series: counts, errors and latency
 * distribution per time slice, in a {@link RequestLadder} of slices that grow coarser with age (1 s
 * as far back as the longest window rules read at 1 s resolution, then 10 s, 1 min, 5 min). A
 * sample lands in the slice of its own time stamp, so late samples still count where they belong.
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
  private final RequestLadder ladder;
  private final FineReach fineReach;
  private long fineReachVersion;
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
    this(labels, settings, new SloTaps(), new FineReach(settings.fineReachMillis()));
  }

  RequestWindow(Labels labels, WindowSettings settings, SloTaps sloTaps, FineReach fineReach) {
    this.labels = labels;
    this.settings = settings;
    this.sloTaps = sloTaps;
    this.fineReach = fineReach;
    this.ladder =
        new RequestLadder(
            settings.ladderSliceMillis(),
            settings.withFineReach(fineReach.reach()).ladderReachMillis(),
            settings.maxFutureSkewMillis());
    this.fineReachVersion = fineReach.current().version();
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
    followFineReach();
    int i = from;
    while (i < to) {
      long slice = Math.floorDiv(samples.tsMillis(i), ladder.fineSliceMillis());
      int j = i + 1;
      while (j < to && Math.floorDiv(samples.tsMillis(j), ladder.fineSliceMillis()) == slice) {
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
    long from = nowMillis - windowMillis - settings.sliceMillis();
    for (int i = 0; i < bounds.length; i++) {
      if (boundsSeenMillis[i] >= from) {
        into.addBounds(bounds[i]);
      }
    }
  }

  /**
   * Adds the trailing {@code windowMillis} ending at {@code nowMillis} into {@code into}, slice by
   * slice. A window reaching back past the 1 s slices starts at the first boundary, at or after its
   * nominal start, of the slices holding that time ({@link #windowStartMillis}). For one-off reads
   * such as queries.
   */
  public synchronized void addTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    followFineReach();
    long w = Math.min(windowMillis, settings.maxWindowMillis());
    noteSpan(into, nowMillis, w, ladder.addTo(into, nowMillis, w));
    addBoundsTo(into, nowMillis, w);
  }

  /**
   * The same as {@link #addTo}, for readers that ask for the same window length again and again
   * (rules): the window keeps a running sum for that length, so later reads cost the window's
   * distinct buckets instead of all its slices.
   */
  public synchronized void addToRunning(
      RequestAccumulator into, long nowMillis, long windowMillis) {
    followFineReach();
    long w = Math.min(windowMillis, settings.maxWindowMillis());
    noteSpan(into, nowMillis, w, ladder.addToRunning(into, nowMillis, w));
    addBoundsTo(into, nowMillis, w);
  }

  /**
   * When the window of {@code windowMillis} ending at {@code nowMillis} actually starts: its
   * nominal start where 1 s slices reach, else the first boundary after it of the coarser slices
   * holding that time (the window is never longer than asked, at most one such slice shorter).
   */
  public synchronized long windowStartMillis(long nowMillis, long windowMillis) {
    followFineReach();
    return ladder.windowStartMillis(nowMillis, Math.min(windowMillis, settings.maxWindowMillis()));
  }

  /**
   * Tells {@code into} how long this window, which starts at {@code startMillis}, actually spans
   * (request rates divide by it).
   */
  private void noteSpan(
      RequestAccumulator into, long nowMillis, long windowMillis, long startMillis) {
    long end = (Math.floorDiv(nowMillis, ladder.fineSliceMillis()) + 1) * ladder.fineSliceMillis();
    into.noteSpan(Math.min(windowMillis, end - startMillis));
  }

  /** Takes up a newly published 1 s reach ({@link FineReach}). */
  private void followFineReach() {
    FineReach.Published published = fineReach.current();
    if (published.version() != fineReachVersion) {
      ladder.setReach(
          settings
              .withFineReach(java.time.Duration.ofMillis(published.reachMillis()))
              .ladderReachMillis());
      fineReachVersion = published.version();
    }
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

  /** Approximate heap bytes this window holds (benchmarks report it per series). */
  public synchronized long footprintBytes() {
    return 48 + ladder.footprintBytes();
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

  private void add(long ts, int requests, int failed, LatencyScratch scratch, int n) {
    ladder.add(ts, requests, failed, scratch.indexes(), scratch.counts(), n);
  }
}
