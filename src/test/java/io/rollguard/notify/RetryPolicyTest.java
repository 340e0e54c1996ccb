package io.rollguard.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {

  private static RetryPolicy.Attempt status(int code) {
    return new RetryPolicy.Attempt(code, null, RetryPolicy.Attempt.NO_RETRY_AFTER, 5);
  }

  private final RetryPolicy policy =
      new RetryPolicy(Alerts.delivery(5, Duration.ofMinutes(10)), () -> 0.5);

  @ParameterizedTest(name = "HTTP {0} -> {1}")
  @CsvSource({
    "200, Delivered",
    "202, Delivered",
    "204, Delivered",
    "400, GiveUp",
    "401, GiveUp",
    "403, GiveUp",
    "404, GiveUp",
    "410, GiveUp",
    "413, GiveUp",
    "408, Retry",
    "429, Retry",
    "500, Retry",
    "502, Retry",
    "503, Retry",
    "504, Retry",
    "0, Retry"
  })
  void eachAnswerHasItsDecision(int code, String decision) {
    assertThat(policy.decide(status(code), 1, 0).getClass().getSimpleName()).isEqualTo(decision);
  }

  @Test
  void onlyGoneEndpointsAreDead() {
    assertThat(((RetryPolicy.GiveUp) policy.decide(status(410), 1, 0)).deadEndpoint()).isTrue();
    assertThat(((RetryPolicy.GiveUp) policy.decide(status(404), 1, 0)).deadEndpoint()).isTrue();
    assertThat(((RetryPolicy.GiveUp) policy.decide(status(400), 1, 0)).deadEndpoint()).isFalse();
  }

  @Test
  void backoffDoublesUpToTheCapWithHalfOfItJittered() {
    RetryPolicy low = new RetryPolicy(Alerts.delivery(50, Duration.ofDays(1)), () -> 0.0);
    RetryPolicy high = new RetryPolicy(Alerts.delivery(50, Duration.ofDays(1)), () -> 0.999999);
    // initial 100 ms, cap 10 s: bases 100, 200, 400, ... 10000
    assertThat(low.backoffMillis(1)).isEqualTo(50);
    assertThat(high.backoffMillis(1)).isEqualTo(99);
    assertThat(low.backoffMillis(3)).isEqualTo(200);
    assertThat(low.backoffMillis(20)).isEqualTo(5_000);
    assertThat(high.backoffMillis(40)).isEqualTo(9_999);
  }

  @Test
  void retryAfterIsHonouredAsGivenAndPausesTheReceiver() {
    var answer = new RetryPolicy.Attempt(429, "rate limited", 7_000, 3);
    assertThat(policy.decide(answer, 1, 0)).isEqualTo(new RetryPolicy.Retry(7_000, true));
    var unavailable = new RetryPolicy.Attempt(503, null, 2_000, 3);
    assertThat(policy.decide(unavailable, 1, 0)).isEqualTo(new RetryPolicy.Retry(2_000, true));
    // a 500 with Retry-After is not an invitation to wait: plain backoff
    var error = new RetryPolicy.Attempt(500, null, 60_000, 3);
    assertThat(policy.decide(error, 1, 0)).isEqualTo(new RetryPolicy.Retry(75, false));
  }

  @Test
  void retriesStopAtMaxAttemptsOrMaxAge() {
    assertThat(policy.decide(status(503), 5, 0))
        .isInstanceOfSatisfying(
            RetryPolicy.GiveUp.class,
            g -> assertThat(g.why()).isEqualTo("gave up after 5 attempts; last: HTTP 503"));
    assertThat(policy.decide(status(503), 2, Duration.ofMinutes(10).toMillis() - 10))
        .isInstanceOfSatisfying(
            RetryPolicy.GiveUp.class,
            g -> assertThat(g.why()).startsWith("max_age reached after 2 attempts"));
  }

  @Test
  void retryAfterReadsSecondsAndHttpDates() {
    assertThat(HttpTransport.retryAfterMillis("7", 0)).isEqualTo(7_000);
    long now = java.time.Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
    assertThat(HttpTransport.retryAfterMillis("Mon, 23 Nov 2026 10:00:30 GMT", now))
        .isEqualTo(30_000);
    assertThat(HttpTransport.retryAfterMillis("soon", now)).isEqualTo(-1);
    assertThat(HttpTransport.retryAfterMillis(null, now)).isEqualTo(-1);
  }
}
