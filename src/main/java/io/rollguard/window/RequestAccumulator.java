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

  /** The distinct layouts of bucketed data added (interned, so few); see {@link BucketBounds}. */
  private BucketBounds[] bounds = new BucketBounds[4];

  private int boundsCount;

  void addBounds(BucketBounds layout) {
    for (int i = 0; i < boundsCount; i++) {
      if (bounds[i] == layout || bounds[i].equals(layout)) {
        return;
      }
    }
    if (boundsCount == bounds.length) {
      bounds = java.util.Arrays.copyOf(bounds, boundsCount * 2);
    }
    bounds[boundsCount++] = layout;
  }

  /**
   * The bound on the relative error of a quantile (or min, max) reported as {@code millis} from
   * what was added: HdrHistogram's 1/256 for raw samples, the bucket's width where bucketed data
   * was added ({@link BucketBounds#relativeErrorAt}).
   */
  public double relativeErrorAt(double millis) {
    double bound = Latency.QUANTILE_RELATIVE_ERROR;
    if (Double.isNaN(millis)) {
      return bound; // no value: nothing to bound
    }
    for (int i = 0; i < boundsCount; i++) {
      bound = Math.max(bound, bounds[i].relativeErrorAt(millis * 1000.0));
    }
    return bound;
  }

  /** The bound on the relative error of the mean of what was added. */
  public double meanRelativeError() {
    double bound = Latency.QUANTILE_RELATIVE_ERROR;
    for (int i = 0; i < boundsCount; i++) {
      bound = Math.max(bound, bounds[i].maxRelativeError());
    }
    return bound;
  }

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
    java.util.Arrays.fill(bounds, 0, boundsCount, null);
    boundsCount = 0;
    spanMillis = 0;
  }

  /**
   * How long the windows added actually span (the longest of them): a window whose far edge lies in
   * slices coarser than 1 s starts at their next boundary, so it can be shorter than asked.
   */
  private long spanMillis;

  void noteSpan(long millis) {
    spanMillis = Math.max(spanMillis, millis);
  }

  /** The span of what was added ({@link #noteSpan}), or {@code nominalMillis} if none was noted. */
  public long spanMillis(long nominalMillis) {
    return spanMillis > 0 ? Math.min(spanMillis, nominalMillis) : nominalMillis;
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

  /**
   * Requests slower than {@code millis}: a lower bound with {@code surely} (whole buckets above
   * it), else an upper bound ({@link LatencyCounts#countAbove}).
   */
  public long countAboveMillis(double millis, boolean surely) {
    return latency.countAbove(millis * 1000.0, surely);
  }

  /** Mean latency in ms; {@code NaN} when nothing was added. */
  public double meanMillis() {
    return latency.meanMicros() / 1000.0;
  }

  /**
   * The statistics of what was added, over a window of {@code windowMillis} (the request rate over
   * the span the windows actually cover).
   */
  public RequestStats stats(long windowMillis) {
    return RequestStats.of(count, errors, spanMillis(windowMillis), this);
  }
}
