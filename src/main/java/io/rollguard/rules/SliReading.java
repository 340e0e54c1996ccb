package io.rollguard.rules;

/**
 * One SLI's value at an evaluation, for notifications that explain themselves: {@code expr} as
 * written ({@code p95}, {@code baseline(p95)}, {@code gauge("pass_rate")}), its value in base units
 * ({@code NaN}: no data), how many samples it was computed from (requests, gauge points or check
 * results), and its relative error bound (latency quantiles; 0 where the value is exact).
 * Immutable.
 */
public record SliReading(
    String expr, Type type, double value, long samples, double relativeError) {}
