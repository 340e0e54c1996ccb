package io.rollguard.notify;

/**
 * A rate limit: {@code ratePerSecond} requests on average, up to {@code burst} at once. Time is
 * given by the caller (epoch or monotonic milliseconds, as long as they only move forward). Not
 * thread-safe: owned by one receiver's dispatcher.
 */
final class TokenBucket {

  private final double ratePerMilli;
  private final double capacity;
  private double tokens;
  private long lastMillis = Long.MIN_VALUE;

  /** {@code ratePerSecond} 0: no limit. */
  TokenBucket(double ratePerSecond, int burst) {
    this.ratePerMilli = ratePerSecond / 1_000;
    this.capacity = Math.max(1, burst);
    this.tokens = capacity;
  }

  /** How long until a request may go: 0 when it may go now. */
  long waitMillis(long nowMillis) {
    if (ratePerMilli == 0) {
      return 0;
    }
    refill(nowMillis);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerMilli);
  }

  /** Spends one request's worth; call only when {@link #waitMillis} said 0. */
  void take(long nowMillis) {
    if (ratePerMilli == 0) {
      return;
    }
    refill(nowMillis);
    tokens -= 1;
  }

  private void refill(long nowMillis) {
    if (lastMillis != Long.MIN_VALUE && nowMillis > lastMillis) {
      tokens = Math.min(capacity, tokens + (nowMillis - lastMillis) * ratePerMilli);
    }
    lastMillis = Math.max(lastMillis, nowMillis);
  }
}
