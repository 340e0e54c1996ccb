package io.rollguard.window;

/**
 * The trailing window of one gauge series (a named value such as a test pass rate): last value,
 * min, max and average of the points in the window, each point in the slice of its own time stamp.
 *
 * <p><b>Concurrency.</b> Thread-safe: every method holds this object's monitor; see {@link
 * RequestWindow} for eviction.
 */
public final class GaugeWindow {

  private final String name;
  private final Labels labels;
  private final WindowSettings settings;
  private final GaugeTier fine;
  private final GaugeTier coarse;
  private long lastSeenMillis;
  private boolean evicted;

  GaugeWindow(String name, Labels labels, WindowSettings settings) {
    this.name = name;
    this.labels = labels;
    this.settings = settings;
    this.fine = new GaugeTier(settings.sliceMillis(), settings.fineSlots());
    this.coarse =
        settings.hasCoarseTier()
            ? new GaugeTier(settings.coarseSliceMillis(), settings.coarseSlots())
            : null;
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

  /** Records one point; false when evicted (look the series up again). */
  public synchronized boolean record(long tsMillis, double value, long receivedAtMillis) {
    if (evicted) {
      return false;
    }
    fine.record(tsMillis, value);
    if (coarse != null) {
      coarse.record(tsMillis, value);
    }
    lastSeenMillis = Math.max(lastSeenMillis, receivedAtMillis);
    return true;
  }

  public synchronized void addTo(GaugeAccumulator into, long nowMillis, long windowMillis) {
    GaugeTier tier = settings.fineTierServes(windowMillis) ? fine : coarse;
    tier.addTo(into, nowMillis, Math.min(windowMillis, settings.maxWindowMillis()));
  }

  /** Marks this window evicted unless it saw data after {@code cutoffMillis}; true if evicted. */
  synchronized boolean evictIfIdleSince(long cutoffMillis) {
    if (lastSeenMillis > cutoffMillis) {
      return false;
    }
    evicted = true;
    return true;
  }
}
