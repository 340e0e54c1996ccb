package io.rollguard.rules;

import java.util.Map;

/** The SLIs a {@code when} expression can name (SPEC 3.2), with their types. */
public enum Sli {
  P50(Type.DURATION),
  P75(Type.DURATION),
  P90(Type.DURATION),
  P95(Type.DURATION),
  P99(Type.DURATION),
  P999(Type.DURATION),
  MAX(Type.DURATION),
  MIN(Type.DURATION),
  MEAN(Type.DURATION),
  /** {@code quantile(q)}. */
  QUANTILE(Type.DURATION),
  COUNT(Type.NUMBER),
  ERRORS(Type.NUMBER),
  ERROR_RATE(Type.RATIO),
  SUCCESS_RATE(Type.RATIO),
  REQUEST_RATE(Type.NUMBER),
  /** {@code gauge("name")}: the latest point. */
  GAUGE(Type.NUMBER),
  GAUGE_AVG(Type.NUMBER),
  GAUGE_MIN(Type.NUMBER),
  GAUGE_MAX(Type.NUMBER),
  /** {@code consecutive_failures("check")}. */
  CONSECUTIVE_FAILURES(Type.NUMBER),
  /** {@code check_failure_rate("check")}. */
  CHECK_FAILURE_RATE(Type.RATIO);

  /** The names written without arguments. */
  static final Map<String, Sli> BARE =
      Map.ofEntries(
          Map.entry("p50", P50),
          Map.entry("p75", P75),
          Map.entry("p90", P90),
          Map.entry("p95", P95),
          Map.entry("p99", P99),
          Map.entry("p999", P999),
          Map.entry("max", MAX),
          Map.entry("min", MIN),
          Map.entry("mean", MEAN),
          Map.entry("count", COUNT),
          Map.entry("errors", ERRORS),
          Map.entry("error_rate", ERROR_RATE),
          Map.entry("success_rate", SUCCESS_RATE),
          Map.entry("request_rate", REQUEST_RATE));

  /** The functions that take the name of a gauge or check. */
  static final Map<String, Sli> NAMED =
      Map.of(
          "gauge", GAUGE,
          "gauge_avg", GAUGE_AVG,
          "gauge_min", GAUGE_MIN,
          "gauge_max", GAUGE_MAX,
          "consecutive_failures", CONSECUTIVE_FAILURES,
          "check_failure_rate", CHECK_FAILURE_RATE);

  private final Type type;

  Sli(Type type) {
    this.type = type;
  }

  public Type type() {
    return type;
  }

  /** Latency quantiles and ratios over the request window: no data below {@code min_samples}. */
  boolean needsSamples() {
    return type == Type.DURATION || this == ERROR_RATE || this == SUCCESS_RATE;
  }
}
