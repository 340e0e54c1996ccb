package io.rollguard.notify;

import static io.rollguard.notify.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollguard.config.RollguardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every receiver type keeps, against a real HTTP receiver on port 0: what counts as
 * delivered, what is retried and after how long, what is given up on, and what a request looks
 * like. Retry delays run on virtual time; only the timeout case waits (300 ms) for real.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class ReceiverContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  /** The receiver types, each with its success answer and a check of what it was sent. */
  enum Kind {
    SLACK("slack", null, 200, "ok"),
    PAGERDUTY(
        "pagerduty",
        null,
        202,
        "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"inc1\"}"),
    /** PagerDuty change events (a pagerduty receiver with change_events: only). */
    PAGERDUTY_CHANGE(
        "pagerduty",
        "change",
        202,
        "{\"status\":\"success\",\"message\":\"Change event processed\"}"),
    WEBHOOK("webhook", "webhook", 204, ""),
    ALERTMANAGER("webhook", "alertmanager", 200, "");

    final String type;
    final String format;
    final int success;
    final String successBody;

    Kind(String type, String format, int success, String successBody) {
      this.type = type;
      this.format = format;
      this.success = success;
      this.successBody = successBody;
    }

    RollguardConfig.Receiver receiver(String url) {
      if (this == PAGERDUTY_CHANGE) {
        RollguardConfig.Receiver r =
            Alerts.receiver(type, url.replace("/hook", "/v2/enqueue"), null, null);
        return new RollguardConfig.Receiver(
            r.name(),
            r.type(),
            r.url(),
            r.routingKey(),
            null,
            null,
            false,
            null,
            r.repeatInterval(),
            r.delivery(),
            RollguardConfig.ChangeEvents.ONLY,
            null);
      }
      return Alerts.receiver(type, url, type.equals("webhook") ? SECRET : null, format);
    }

    /** What this receiver type is sent first: a firing of inc1 (a rollback of it, as a change). */
    Notification first() {
      if (this == PAGERDUTY_CHANGE) {
        return Alerts.notification("1", Notification.Event.CHANGE, Alerts.rollback("inc1"));
      }
      return Alerts.notification("1", Notification.Event.FIRING, Alerts.firing("inc1"));
    }

    /** What this receiver type must have been sent for a firing of incident inc1. */
    void checkRequest(ScriptedReceiver.Received r) {
      assertThat(r.headers().get("content-type")).isEqualTo("application/json");
      JsonNode body;
      try {
        body = JSON.readTree(r.body().getBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      switch (this) {
        case SLACK -> {
          assertThat(body.path("text").asText()).contains("canary-p95");
          assertThat(body.path("blocks").isArray()).isTrue();
        }
        case PAGERDUTY -> {
          assertThat(body.path("event_action").asText()).isEqualTo("trigger");
          assertThat(body.path("dedup_key").asText()).isEqualTo("inc1");
        }
        case PAGERDUTY_CHANGE -> {
          // WIRE.md: change events go to /v2/change/enqueue, no event_action, never a page
          assertThat(r.path()).isEqualTo("/v2/change/enqueue");
          assertThat(body.path("routing_key").asText()).hasSize(32);
          assertThat(body.has("event_action")).isFalse();
          assertThat(body.path("payload").path("summary").asText())
              .startsWith("checkout rolled back at stage canary: p95 > 1.10 * baseline(p95)");
          assertThat(body.path("payload").path("source").asText()).isEqualTo("checkout");
          assertThat(body.path("payload").path("timestamp").asText()).endsWith("Z");
          assertThat(body.path("payload").path("custom_details").path("change").asText())
              .isEqualTo("rollback");
          assertThat(body.path("links").get(0).path("href").asText()).endsWith("/incidents/inc1");
        }
        case WEBHOOK -> assertThat(body.path("event").asText()).isEqualTo("firing");
        case ALERTMANAGER -> {
          assertThat(body.path("version").asText()).isEqualTo("4");
          assertThat(body.path("alerts").get(0).path("fingerprint").asText()).isEqualTo("inc1");
        }
      }
      if (type.equals("webhook")) { // both payload shapes are signed the Standard Webhooks way
        assertThat(r.headers().get("webhook-id")).isEqualTo("inc1:firing");
        assertThat(
                WebhookSigner.fromSecret(SECRET)
                    .verify(
                        r.headers().get("webhook-id"),
                        Long.parseLong(r.headers().get("webhook-timestamp")),
                        r.body().getBytes(),
                        r.headers().get("webhook-signature")))
            .isTrue();
      }
    }
  }

  private static Future<DeliveryHarness> start(Vertx vertx, Kind kind, ScriptedReceiver receiver) {
    return receiver
        .start(vertx)
        .map(url -> new DeliveryHarness(vertx, kind.receiver(url)))
        .compose(h -> h.send(kind.first()).map(h));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aSuccessAnswerIsDeliveredAtTheFirstAttempt(Kind kind, Vertx vertx, VertxTestContext test) {
    ScriptedReceiver receiver = new ScriptedReceiver().then(answer(kind.success, kind.successBody));
    start(vertx, kind, receiver)
        .compose(h -> h.next("delivered"))
        .onComplete(
            test.succeeding(
                report ->
                    test.verify(
                        () -> {
                          assertThat(report).isEqualTo("delivered after 1 attempt");
                          assertThat(receiver.received).singleElement();
                          kind.checkRequest(receiver.received.get(0));
                          test.completeNow();
                        })));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aBadRequestIsNotRetriedAndItsAnswerIsKept(Kind kind, Vertx vertx, VertxTestContext test) {
    ScriptedReceiver receiver = new ScriptedReceiver().then(answer(400, "invalid_payload"));
    start(vertx, kind, receiver)
        .compose(h -> h.next("gave up"))
        .onComplete(
            test.succeeding(
                report ->
                    test.verify(
                        () -> {
                          assertThat(report)
                              .isEqualTo("gave up: HTTP 400: invalid_payload (not retried)");
                          assertThat(receiver.received).hasSize(1);
                          test.completeNow();
                        })));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void notFoundAndGoneMarkTheEndpointDead(Kind kind, Vertx vertx, VertxTestContext test) {
    ScriptedReceiver notFound = new ScriptedReceiver().then(answer(404, "no_service"));
    ScriptedReceiver gone = new ScriptedReceiver().then(answer(410, "channel_is_archived"));
    start(vertx, kind, notFound)
        .compose(h -> h.next("gave up"))
        .compose(
            r1 ->
                start(vertx, kind, gone).compose(h -> h.next("gave up")).map(r2 -> r1 + "\n" + r2))
        .onComplete(
            test.succeeding(
                reports ->
                    test.verify(
                        () -> {
                          assertThat(reports)
                              .isEqualTo(
                                  "gave up (dead endpoint): HTTP 404: no_service (not retried)\n"
                                      + "gave up (dead endpoint): HTTP 410: channel_is_archived"
                                      + " (not retried)");
                          test.completeNow();
                        })));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void tooManyRequestsWaitsExactlyTheRetryAfter(Kind kind, Vertx vertx, VertxTestContext test) {
    ScriptedReceiver receiver =
        new ScriptedReceiver()
            .then(answer(429, "rate_limited", "Retry-After", "7"))
            .then(answer(kind.success, kind.successBody));
    start(vertx, kind, receiver)
        .compose(
            h ->
                h.next("attempt 1")
                    .compose(
                        first -> {
                          test.verify(
                              () ->
                                  assertThat(first)
                                      .isEqualTo(
                                          "attempt 1: HTTP 429: rate_limited -> retry in 7000 ms"));
                          return h.nextDelayMillis();
                        })
                    .compose(
                        delay -> {
                          test.verify(() -> assertThat(delay).isEqualTo(7_000));
                          return h.advance(6_999); // t=6.999s: not yet
                        })
                    .compose(v -> h.nextDelayMillis())
                    .compose(
                        delay -> {
                          test.verify(
                              () -> {
                                assertThat(delay).isEqualTo(1);
                                assertThat(receiver.received).hasSize(1);
                              });
                          return h.advance(1); // t=7s: the retry goes
                        })
                    .compose(v -> h.next("delivered")))
        .onComplete(
            test.succeeding(
                report ->
                    test.verify(
                        () -> {
                          assertThat(report).isEqualTo("delivered after 2 attempts");
                          assertThat(receiver.received).hasSize(2);
                          kind.checkRequest(receiver.received.get(1));
                          test.completeNow();
                        })));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void serverErrorsAreRetriedWithBackoff(Kind kind, Vertx vertx, VertxTestContext test) {
    ScriptedReceiver receiver =
        new ScriptedReceiver()
            .then(answer(500, "rollup_error"))
            .then(answer(503, ""))
            .then(answer(kind.success, kind.successBody));
    start(vertx, kind, receiver)
        .compose(
            h ->
                h.next("attempt 1")
                    .compose(v -> h.nextDelayMillis())
                    .compose(
                        delay -> {
                          // initial backoff 100 ms, half of it jittered (jitter 0.5): 75 ms
                          test.verify(() -> assertThat(delay).isEqualTo(75));
                          return h.advance(delay);
                        })
                    .compose(v -> h.next("attempt 2"))
                    .compose(
                        second -> {
                          test.verify(
                              () ->
                                  assertThat(second)
                                      .isEqualTo(
                                          "attempt 2: HTTP 503: Service Unavailable -> retry in 150 ms"));
                          return h.advance(150);
                        })
                    .compose(v -> h.next("delivered")))
        .onComplete(
            test.succeeding(
                report ->
                    test.verify(
                        () -> {
                          assertThat(report).isEqualTo("delivered after 3 attempts");
                          test.completeNow();
                        })));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aRefusedConnectionIsRetried(Kind kind, Vertx vertx, VertxTestContext test) {
    // a port that was free a moment ago: nothing listens there
    HttpServer probe = vertx.createHttpServer().requestHandler(r -> r.response().end());
    probe
        .listen(0, "127.0.0.1")
        .compose(s -> s.close().map("http://127.0.0.1:" + s.actualPort() + "/hook"))
        .compose(
            url -> {
              DeliveryHarness h = new DeliveryHarness(vertx, kind.receiver(url));
              return h.send(kind.first()).compose(v -> h.next("attempt 1"));
            })
        .onComplete(
            test.succeeding(
                report ->
                    test.verify(
                        () -> {
                          assertThat(report)
                              .startsWith("attempt 1: ")
                              .contains("Connect")
                              .endsWith("-> retry in 75 ms");
                          test.completeNow();
                        })));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aReceiverThatDoesNotAnswerTimesOutAndIsRetried(
      Kind kind, Vertx vertx, VertxTestContext test) {
    ScriptedReceiver receiver =
        new ScriptedReceiver()
            .then(ScriptedReceiver.silence())
            .then(answer(kind.success, kind.successBody));
    start(vertx, kind, receiver)
        .compose(
            h ->
                h.next("attempt 1")
                    .compose(
                        first -> {
                          test.verify(
                              () ->
                                  assertThat(first)
                                      .isEqualTo(
                                          "attempt 1: timeout after 300 ms -> retry in 75 ms"));
                          return h.advance(75);
                        })
                    .compose(v -> h.next("delivered")))
        .onComplete(
            test.succeeding(
                report ->
                    test.verify(
                        () -> {
                          assertThat(report).isEqualTo("delivered after 2 attempts");
                          test.completeNow();
                        })));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void afterMaxAttemptsTheReceiverGivesUp(Kind kind, Vertx vertx, VertxTestContext test) {
    ScriptedReceiver receiver = new ScriptedReceiver().then(answer(503, "down"));
    // max_attempts is 5: four retries, each after the backoff the timer holds
    start(vertx, kind, receiver)
        .compose(h -> retryUntilGivenUp(h, 5))
        .onComplete(
            test.succeeding(
                report ->
                    test.verify(
                        () -> {
                          assertThat(report)
                              .isEqualTo("gave up: gave up after 5 attempts; last: HTTP 503: down");
                          assertThat(receiver.received).hasSize(5);
                          test.completeNow();
                        })));
  }

  private static Future<String> retryUntilGivenUp(DeliveryHarness h, int attemptsLeft) {
    if (attemptsLeft == 1) {
      return h.next("gave up");
    }
    return h.next("attempt")
        .compose(v -> h.nextDelayMillis())
        .compose(h::advance)
        .compose(v -> retryUntilGivenUp(h, attemptsLeft - 1));
  }
}
