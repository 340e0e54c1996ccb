package io.rollguard.window;

/**
 * A gauge over a window: the latest point, and min/max/average of all points. Values are {@code
 * NaN} when the window holds no point. Immutable.
 */
public record GaugeStats(
    long points, double last, long lastTsMillis, double min, double max, double avg) {}
