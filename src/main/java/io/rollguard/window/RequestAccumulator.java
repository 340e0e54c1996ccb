package io.rollguard.window;

import org.HdrHistogram.Histogram;

/**
 * Sums request windows (one series or many) into one count, one error count and one merged latency
 * histogram: aggregation merges distributions, it never averages quantiles. Not thread-safe: owned
 * by the reader that created it; reusable after {@link #reset()}.
 */
public final class RequestAccumulator {

  private final Histogram histogram = Latency.newHistogram();
  private long count;
  private long errors;

  void addCounts(long requests, long failed) {
    count += requests;
    errors += failed;
  }

  Histogram histogram() {
    return histogram;
  }

  public void reset() {
    histogram.reset();
    count = 0;
    errors = 0;
  }

  public long count() {
    return count;
  }

  /** The statistics of what was added, over a window of {@code windowMillis}. */
  public RequestStats stats(long windowMillis) {
    return RequestStats.of(count, errors, windowMillis, histogram);
  }
}
