package io.rollguard.window;

import java.time.Duration;

/**
 * How far back request windows keep 1 s slices: the longest window a loaded rule or rollout reads
 * at 1 s resolution (windows up to 15 min), at least 1 min. Whoever loads the rules publishes it;
 * each window picks a change up at its next write or read, so a reload never stops ingest. A reach
 * that grows holds 1 s slices that far back once that much new data has arrived; one that shrinks
 * merges the 1 s slices beyond it into coarser ones at the window's next write.
 *
 * <p>Thread-safe: one volatile publication.
 */
public final class FineReach {

  /** A published reach and its version (windows compare versions, not values). */
  record Published(long version, long reachMillis) {}

  private volatile Published current;

  FineReach(long reachMillis) {
    this.current = new Published(0, clamp(reachMillis));
  }

  /** Publishes the reach for rules reading windows of up to {@code longestWindow}. */
  public synchronized void set(Duration longestWindow) {
    long reach = clamp(longestWindow.toMillis());
    if (reach != current.reachMillis()) {
      current = new Published(current.version() + 1, reach);
    }
  }

  public Duration reach() {
    return Duration.ofMillis(current.reachMillis());
  }

  Published current() {
    return current;
  }

  private static long clamp(long reachMillis) {
    return Math.max(
        WindowSettings.MIN_FINE_REACH_MILLIS,
        Math.min(reachMillis, WindowSettings.FINE_SPAN_LIMIT_MILLIS));
  }
}
