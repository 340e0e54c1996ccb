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

  /** Runs at least this long go through {@link LatencyScratch}; shorter ones insert directly. */
  private static final int SCRATCH_RUN = 24;

  private final Labels labels;
  private final WindowSettings settings;
  private final RequestTier fine;
  private final RequestTier coarse;
  private long lastSeenMillis;
  private boolean evicted;

  RequestWindow(Labels labels, WindowSettings settings) {
    this.labels = labels;
    this.settings = settings;
    this.fine = new RequestTier(settings.sliceMillis(), settings.fineSlots());
    this.coarse =
        settings.hasCoarseTier()
            ? new RequestTier(settings.coarseSliceMillis(), settings.coarseSlots())
            : null;
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
    addPairs(fine, fine.slotFor(endMillis), scratch, n, total, errorCount);
    if (coarse != null) {
      addPairs(coarse, coarse.slotFor(endMillis), scratch, n, total, errorCount);
    }
    lastSeenMillis = Math.max(lastSeenMillis, receivedAtMillis);
    return true;
  }

  /**
   * Adds the trailing {@code windowMillis} ending at {@code nowMillis} into {@code into}: from the
   * fine tier when it spans the window, else from the coarse tier (window rounded up to its slice).
   */
  public synchronized void addTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    RequestTier tier = settings.fineTierServes(windowMillis) ? fine : coarse;
    tier.addTo(into, nowMillis, Math.min(windowMillis, settings.maxWindowMillis()));
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
    long ts = samples.tsMillis(from);
    int fineSlot = fine.slotFor(ts);
    int coarseSlot = coarse == null ? -1 : coarse.slotFor(ts);
    int failed = 0;
    for (int k = from; k < to; k++) {
      if (samples.isError(k)) {
        failed++;
      }
    }
    int requests = to - from;
    if (requests < SCRATCH_RUN) {
      if (fineSlot >= 0) {
        fine.addCounts(fineSlot, requests, failed);
      }
      if (coarseSlot >= 0) {
        coarse.addCounts(coarseSlot, requests, failed);
      }
      for (int k = from; k < to; k++) {
        int key = Latency.keyOf(samples.micros(k));
        if (fineSlot >= 0) {
          fine.latency(fineSlot).add(key, 1);
        }
        if (coarseSlot >= 0) {
          coarse.latency(coarseSlot).add(key, 1);
        }
      }
      return;
    }
    for (int k = from; k < to; k++) {
      scratch.record(samples.micros(k));
    }
    int n = scratch.drain();
    addPairs(fine, fineSlot, scratch, n, requests, failed);
    if (coarse != null) {
      addPairs(coarse, coarseSlot, scratch, n, requests, failed);
    }
  }

  private static void addPairs(
      RequestTier tier, int slot, LatencyScratch scratch, int n, int requests, int failed) {
    if (slot < 0) {
      return;
    }
    tier.addCounts(slot, requests, failed);
    tier.latency(slot).addSorted(scratch.keys(), scratch.counts(), n);
  }
}
