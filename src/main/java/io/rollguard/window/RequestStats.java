package io.rollguard.window;

/**
 * Request statistics of a window: counts, rates and latency quantiles in milliseconds. Ratios and
 * latencies are {@code NaN} when the window holds no request ("no data"); counts and the request
 * rate are 0. Quantiles p50 to p99.9 are within {@link #quantileRelativeError()} of the exact ones:
 * 1/256 for raw samples, wider where bucketed data (OTLP, Prometheus histograms) was added, see
 * {@link RequestAccumulator#relativeErrorAt}. Immutable.
 */
public record RequestStats(
    long count,
    long errors,
    double errorRate,
    double requestRatePerSecond,
    double minMillis,
    double p50Millis,
    double p75Millis,
    double p90Millis,
    double p95Millis,
    double p99Millis,
    double p999Millis,
    double maxMillis,
    double meanMillis,
    double quantileRelativeError) {

  static RequestStats of(long count, long errors, long windowMillis, RequestAccumulator latency) {
    double rate = windowMillis > 0 ? count * 1000.0 / windowMillis : 0;
    if (count == 0 || !latency.hasLatencies()) {
      double nan = Double.NaN;
      return new RequestStats(
          count,
          errors,
          count == 0 ? nan : (double) errors / count,
          rate,
          nan,
          nan,
          nan,
          nan,
          nan,
          nan,
          nan,
          nan,
          nan,
          Latency.QUANTILE_RELATIVE_ERROR);
    }
    return new RequestStats(
        count,
        errors,
        (double) errors / count,
        rate,
        latency.quantileMillis(0.0),
        latency.quantileMillis(0.50),
        latency.quantileMillis(0.75),
        latency.quantileMillis(0.90),
        latency.quantileMillis(0.95),
        latency.quantileMillis(0.99),
        latency.quantileMillis(0.999),
        latency.quantileMillis(1.0),
        latency.meanMillis(),
        widestBound(latency));
  }

  private static double widestBound(RequestAccumulator latency) {
    double bound = Latency.QUANTILE_RELATIVE_ERROR;
    for (double q : new double[] {0.50, 0.75, 0.90, 0.95, 0.99, 0.999}) {
      bound = Math.max(bound, latency.relativeErrorAt(latency.quantileMillis(q)));
    }
    return bound;
  }

  public double successRate() {
    return 1.0 - errorRate;
  }
}
