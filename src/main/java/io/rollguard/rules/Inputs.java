package io.rollguard.rules;

import io.rollguard.window.CheckStats;
import io.rollguard.window.GaugeStats;
import io.rollguard.window.Latency;

/**
 * What a rule's window holds for its selector: the numbers SLIs are computed from. Latencies in
 * milliseconds; {@code NaN} where there is nothing to compute from.
 */
public interface Inputs {

  long count();

  long errors();

  /** The window's length, for {@code request_rate}. */
  double windowSeconds();

  /** Quantile {@code q} in [0, 1] of the request latencies; {@code NaN} without requests. */
  double quantileMillis(double q);

  double meanMillis();

  /**
   * The bound on the relative error of a latency quantile (min, max) reported as {@code millis}:
   * HdrHistogram's 1/256 for raw samples, the bucket's width for bucketed data.
   */
  default double quantileRelativeError(double millis) {
    return Latency.QUANTILE_RELATIVE_ERROR;
  }

  /** The bound on the relative error of {@link #meanMillis()}. */
  default double meanRelativeError() {
    return Latency.QUANTILE_RELATIVE_ERROR;
  }

  GaugeStats gauge(String name);

  CheckStats check(String name);

  /** The same over the rule's baseline selector; null when the rule has none. */
  Inputs baseline();
}
