package io.rollguard.window;

/**
 * A health check over a window: how many results, how many failed, and how many of the latest
 * results failed in a row. Immutable.
 */
public record CheckStats(int results, int failures, int consecutiveFailures) {

  /** failures / results, or {@code NaN} when there is no result in the window. */
  public double failureRatio() {
    return results == 0 ? Double.NaN : (double) failures / results;
  }
}
