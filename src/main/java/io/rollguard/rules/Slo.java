package io.rollguard.rules;

import io.rollguard.config.Position;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A service level objective as written in a rule file (SPEC 3.5), validated: which requests count
 * ({@code select}), which of them are good, the objective over the period, and the burn-rate alert
 * tiers, fastest first (a slower tier stays quiet while a faster one fires). Immutable.
 */
public record Slo(
    String name,
    String description,
    Map<String, String> selectSpec,
    double objective,
    Duration period,
    String goodText,
    Good good,
    long minSamples,
    List<BurnTier> tiers,
    Position position) {

  /**
   * Which requests are good: {@code requireOk} (not failed) and, unless {@code latencyLimitMicros}
   * is {@link Long#MAX_VALUE}, a latency strictly below that many microseconds.
   */
  public record Good(boolean requireOk, long latencyLimitMicros) {
    public static final Good OK = new Good(true, Long.MAX_VALUE);
  }

  /** An alert tier: it fires while any of its window pairs burns too fast. */
  public record BurnTier(
      String name, Severity severity, List<String> receivers, List<BurnWindow> windows) {

    /** The highest burn rate among the tier's windows (orders tiers from fast to slow). */
    public double fastestBurnRate() {
      return windows.stream().mapToDouble(BurnWindow::burnRate).max().orElse(0);
    }
  }

  /**
   * Fires when the burn rate exceeds {@code burnRate} over both the long window (it is significant)
   * and the short one (it is still going on), as the SRE workbook's multiwindow alerts do.
   */
  public record BurnWindow(Duration longWindow, Duration shortWindow, double burnRate) {}

  /** The share of requests that may be bad: {@code 1 - objective}. */
  public double errorBudget() {
    return 1 - objective;
  }

  /** Whether {@code other} counts the same requests the same way (its counts can be kept). */
  public boolean sameCounting(Slo other) {
    return selectSpec.equals(other.selectSpec)
        && good.equals(other.good)
        && period.equals(other.period);
  }
}
