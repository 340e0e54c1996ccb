package io.rollguard.notify;

import io.rollguard.config.RollguardConfig;
import java.util.function.DoubleSupplier;

/**
 * Decides what follows a delivery attempt (WIRE.md): 2xx is delivered; 408, 429, 5xx and network
 * errors are retried (for email: SMTP 4yz replies and network errors; 5yz is permanent) with
 * exponential backoff and "equal jitter" (half the delay fixed, half random, so retries of many
 * notifications spread out), and a {@code Retry-After} is honoured as given; other 4xx are not
 * retried, and 403/404/410 mark the endpoint dead. Retries stop after {@code max_attempts} attempts
 * or when the next would start after {@code max_age}. The randomness is injected. Immutable;
 * thread-safe if the jitter source is.
 */
public final class RetryPolicy {

  /**
   * What an attempt got back: an HTTP status, or with {@code smtp} an SMTP reply code (0: no
   * answer, see {@code error}).
   */
  public record Attempt(
      int status, String error, long retryAfterMillis, long latencyMillis, boolean smtp) {
    public static final long NO_RETRY_AFTER = -1;

    /** An HTTP attempt. */
    public Attempt(int status, String error, long retryAfterMillis, long latencyMillis) {
      this(status, error, retryAfterMillis, latencyMillis, false);
    }

    /** 2xx for HTTP; 2yz (250) for SMTP. */
    public boolean succeeded() {
      return status >= 200 && status < 300;
    }

    /** For logs and the incident timeline: {@code HTTP 503}, {@code SMTP 451: ...}, a timeout. */
    public String describe() {
      return status == 0
          ? error
          : (smtp ? "SMTP " : "HTTP ") + status + (error == null ? "" : ": " + error);
    }
  }

  /** What to do next. */
  public sealed interface Decision {}

  public record Delivered() implements Decision {}

  /** Try again after {@code delayMillis}; {@code pauseReceiver}: the receiver asked us to wait. */
  public record Retry(long delayMillis, boolean pauseReceiver) implements Decision {}

  /** Stop; {@code deadEndpoint} when the receiver says it is gone (403, 404, 410). */
  public record GiveUp(String why, boolean deadEndpoint) implements Decision {}

  private final RollguardConfig.Delivery settings;
  private final DoubleSupplier jitter;

  /** {@code jitter} gives numbers in [0, 1). */
  public RetryPolicy(RollguardConfig.Delivery settings, DoubleSupplier jitter) {
    this.settings = settings;
    this.jitter = jitter;
  }

  /**
   * @param attemptsMade attempts so far, this one included
   * @param ageMillis time since the notification was made
   */
  public Decision decide(Attempt attempt, int attemptsMade, long ageMillis) {
    if (attempt.succeeded()) {
      return new Delivered();
    }
    int status = attempt.status();
    boolean retriable =
        attempt.smtp()
            ? status == 0 || status / 100 == 4 // SMTP 4yz: transient; 5yz: permanent
            : status == 0 || status == 408 || status == 429 || status >= 500;
    if (!retriable) {
      return new GiveUp(
          attempt.describe() + " (not retried)",
          !attempt.smtp() && (status == 403 || status == 404 || status == 410));
    }
    if (attemptsMade >= settings.maxAttempts()) {
      return new GiveUp(
          "gave up after " + attemptsMade + " attempts; last: " + attempt.describe(), false);
    }
    boolean asked =
        !attempt.smtp() && attempt.retryAfterMillis() >= 0 && (status == 429 || status >= 502);
    long delay = asked ? attempt.retryAfterMillis() : backoffMillis(attemptsMade);
    if (ageMillis + delay > settings.maxAge().toMillis()) {
      return new GiveUp(
          "max_age reached after " + attemptsMade + " attempts; last: " + attempt.describe(),
          false);
    }
    return new Retry(delay, asked);
  }

  /** The delay before attempt {@code attemptsMade + 1}: doubling, capped, half of it random. */
  long backoffMillis(int attemptsMade) {
    long initial = settings.initialBackoff().toMillis();
    long cap = settings.maxBackoff().toMillis();
    int shift = Math.min(attemptsMade - 1, 30);
    long base = Math.min(cap, initial << shift);
    return base / 2 + (long) (jitter.getAsDouble() * (base - base / 2));
  }
}
