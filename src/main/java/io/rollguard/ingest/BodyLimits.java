package io.rollguard.ingest;

/**
 * How much of a request body ingest reads, and how slowly it may arrive.
 *
 * <p>A body may take {@code timeoutMillis}, plus one second for every {@code minBytesPerSecond}
 * bytes that arrived (the rule of Apache's {@code mod_reqtimeout}): a large upload over a slow link
 * keeps going as long as it keeps moving, a trickle of a few bytes a second (slowloris) is cut off.
 * A refused body is still read, up to {@code drainBytes}, so that the client (which may be writing
 * it before it reads anything) receives the answer instead of a reset connection. Immutable.
 */
public record BodyLimits(
    long maxBodyBytes, long timeoutMillis, long minBytesPerSecond, long drainBytes) {

  /** A refused body is read and dropped up to this many bytes (or the limit, if larger). */
  public static final long DEFAULT_DRAIN_BYTES = 32L << 20;

  public BodyLimits {
    if (maxBodyBytes <= 0 || timeoutMillis <= 0 || minBytesPerSecond <= 0 || drainBytes < 0) {
      throw new IllegalArgumentException("body limits must be positive");
    }
  }

  /** The limits {@code rollguard.yaml} sets. */
  public static BodyLimits of(io.rollguard.config.RollguardConfig.Limits limits) {
    return new BodyLimits(
        limits.maxBodyBytes(),
        limits.bodyTimeout().toMillis(),
        limits.bodyMinRate(),
        Math.max(DEFAULT_DRAIN_BYTES, limits.maxBodyBytes()));
  }

  /** How long a body that has brought {@code bytes} so far may have taken. */
  long allowedMillis(long bytes) {
    return timeoutMillis + bytes * 1_000 / minBytesPerSecond;
  }
}
