package io.rollguard.ingest;

/**
 * The limits ingest enforces per item and per body. {@code maxAgeMillis} is the longest window: an
 * older sample could never count. Immutable.
 */
public record IngestLimits(
    long maxBodyBytes,
    int maxLabels,
    int maxLabelValueLength,
    long maxFutureSkewMillis,
    long maxAgeMillis,
    int maxHistogramBytes) {

  /** Encoded histograms larger than this (inflated) are refused before they are inflated. */
  public static final int DEFAULT_MAX_HISTOGRAM_BYTES = 1 << 20;

  /** The limits {@code rollguard.yaml} sets. */
  public static IngestLimits of(io.rollguard.config.RollguardConfig.Limits limits) {
    return new IngestLimits(
        limits.maxBodyBytes(),
        limits.maxLabels(),
        limits.maxLabelValueLength(),
        limits.maxFutureSkew().toMillis(),
        limits.maxWindow().toMillis(),
        DEFAULT_MAX_HISTOGRAM_BYTES);
  }
}
