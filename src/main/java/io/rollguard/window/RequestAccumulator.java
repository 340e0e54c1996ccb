package io.rollguard.window;

/**
 * Sums request windows (one series or many) into one count, one error count and one merged latency
 * distribution: aggregation merges distributions, it never averages quantiles. Not thread-safe:
 * owned by the reader that created it; reusable after {@link #reset()}.
 */
public final class RequestAccumulator {

  private final LatencyCounts latency = new LatencyCounts();
  private long count;
  private long errors;

  void addCounts(long requests, long failed) {
    count += requests;
    errors += failed;
  }

  LatencyCounts latency() {
    return latency;
  }

  public void reset() {
    latency.reset();
    count = 0;
    errors = 0;
  }

  public long count() {
    return count;
  }

  /** Whether any latency was added (pre-aggregated histograms carry theirs too). */
  boolean hasLatencies() {
    return latency.total() > 0;
  }

  public long errors() {
    return errors;
  }

  /** Quantile {@code q} in [0, 1] of what was added, in ms; {@code NaN} when nothing was. */
  public double quantileMillis(double q) {
    return latency.quantileMicros(q) / 1000.0;
  }

  /** Mean latency in ms; {@code NaN} when nothing was added. */
  public double meanMillis() {
    return latency.meanMicros() / 1000.0;
  }

  /** The statistics of what was added, over a window of {@code windowMillis}. */
  public RequestStats stats(long windowMillis) {
    return RequestStats.of(count, errors, windowMillis, this);
  }
}
