package io.rollguard.alerting;

/**
 * What a rule says about time: how long the condition must hold ({@code forMillis}), how many true
 * evaluations in a row it needs ({@code consecutive}), and how long a firing alert waits before it
 * resolves ({@code keepFiringForMillis}). Immutable.
 */
public record Timing(long forMillis, int consecutive, long keepFiringForMillis) {}
