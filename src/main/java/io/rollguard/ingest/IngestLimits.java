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

  /**
   * Why a sample stamped {@code tsMillis} cannot count at {@code nowMillis} (the event-time rules
   * every ingest format follows), as a message starting with {@code what}; null when it can.
   */
  String timeProblem(long tsMillis, long nowMillis, String what) {
    if (tsMillis < nowMillis - maxAgeMillis) {
      return what + " " + tsMillis + " is older than the longest window";
    }
    if (tsMillis > nowMillis + maxFutureSkewMillis) {
      return what + " " + tsMillis + " is more than max_future_skew ahead";
    }
    return null;
  }

  /** The reason for {@link #timeProblem}'s answer: too old or too far ahead. */
  RejectReason timeReason(long tsMillis, long nowMillis) {
    return tsMillis < nowMillis - maxAgeMillis
        ? RejectReason.TOO_OLD
        : RejectReason.TOO_FAR_IN_FUTURE;
  }

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
