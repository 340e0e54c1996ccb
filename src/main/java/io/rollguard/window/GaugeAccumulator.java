package io.rollguard.window;

/**
 * Combines gauge slots (of one series or many) into last/min/max/avg. Not thread-safe: owned by the
 * reader that created it.
 */
public final class GaugeAccumulator {

  private long count;
  private double sum;
  private double min = Double.NaN;
  private double max = Double.NaN;
  private long lastTs = Long.MIN_VALUE;
  private double last = Double.NaN;

  void add(int points, double pointSum, double pointMin, double pointMax, long ts, double value) {
    if (points == 0) {
      return;
    }
    min = count == 0 ? pointMin : Math.min(min, pointMin);
    max = count == 0 ? pointMax : Math.max(max, pointMax);
    count += points;
    sum += pointSum;
    if (ts >= lastTs) {
      lastTs = ts;
      last = value;
    }
  }

  public GaugeStats stats() {
    if (count == 0) {
      return new GaugeStats(0, Double.NaN, Long.MIN_VALUE, Double.NaN, Double.NaN, Double.NaN);
    }
    return new GaugeStats(count, last, lastTs, min, max, sum / count);
  }
}
