package io.rollguard.alerting;

import io.rollguard.rules.Inputs;
import io.rollguard.window.CheckStats;
import io.rollguard.window.CheckWindow;
import io.rollguard.window.GaugeAccumulator;
import io.rollguard.window.GaugeStats;
import io.rollguard.window.GaugeWindow;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestWindow;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link Inputs} over a {@link SeriesGroup}'s windows at one instant: request windows are merged on
 * first use (so a gauge-only rule never merges latencies), gauges and checks by name on demand.
 * Several checks of the same name (one per series) add up; their trailing failures are the largest
 * of any series. Not thread-safe: used within one evaluation, with its evaluator's accumulator.
 */
public final class GroupInputs implements Inputs {

  private final SeriesGroup group;
  private final long nowMillis;
  private final long windowMillis;
  private final RequestAccumulator accumulator;
  private final Inputs baseline;
  private boolean merged;
  private final Map<String, GaugeStats> gauges = new HashMap<>();
  private final Map<String, CheckStats> checks = new HashMap<>();

  /** Quantiles already computed: the condition and the reported value often ask for the same. */
  private final double[] quantiles = new double[4];

  private final double[] quantileValues = new double[4];
  private int quantileCount;

  /** {@code baseline} is the baseline's inputs at the same instant, or null. */
  public GroupInputs(
      SeriesGroup group,
      long nowMillis,
      long windowMillis,
      RequestAccumulator accumulator,
      Inputs baseline) {
    this.group = group;
    this.nowMillis = nowMillis;
    this.windowMillis = windowMillis;
    this.accumulator = accumulator;
    this.baseline = baseline;
  }

  private RequestAccumulator requests() {
    if (!merged) {
      accumulator.reset();
      for (RequestWindow w : group.requests) {
        w.addToRunning(accumulator, nowMillis, windowMillis);
      }
      merged = true;
    }
    return accumulator;
  }

  @Override
  public long count() {
    return requests().count();
  }

  @Override
  public long errors() {
    return requests().errors();
  }

  @Override
  public double windowSeconds() {
    return requests().spanMillis(windowMillis) / 1000.0; // shorter if its far edge is coarse
  }

  @Override
  public double quantileMillis(double q) {
    for (int i = 0; i < quantileCount; i++) {
      if (quantiles[i] == q) {
        return quantileValues[i];
      }
    }
    double value = requests().quantileMillis(q);
    if (quantileCount < quantiles.length) {
      quantiles[quantileCount] = q;
      quantileValues[quantileCount++] = value;
    }
    return value;
  }

  @Override
  public double meanMillis() {
    return requests().meanMillis();
  }

  @Override
  public double quantileRelativeError(double millis) {
    return requests().relativeErrorAt(millis);
  }

  @Override
  public double meanRelativeError() {
    return requests().meanRelativeError();
  }

  @Override
  public GaugeStats gauge(String name) {
    return gauges.computeIfAbsent(
        name,
        n -> {
          GaugeAccumulator acc = new GaugeAccumulator();
          for (GaugeWindow w : group.gauges) {
            if (w.name().equals(n)) {
              w.addTo(acc, nowMillis, windowMillis);
            }
          }
          return acc.stats();
        });
  }

  @Override
  public CheckStats check(String name) {
    return checks.computeIfAbsent(
        name,
        n -> {
          int results = 0;
          int failures = 0;
          int trailing = 0;
          for (CheckWindow w : group.checks) {
            if (w.name().equals(n)) {
              CheckStats s = w.stats(nowMillis, windowMillis);
              results += s.results();
              failures += s.failures();
              trailing = Math.max(trailing, s.consecutiveFailures());
            }
          }
          return new CheckStats(results, failures, trailing);
        });
  }

  @Override
  public Inputs baseline() {
    return baseline;
  }
}
