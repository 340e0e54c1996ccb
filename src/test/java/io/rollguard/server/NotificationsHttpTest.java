package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.Clock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incident end to end on the real server, in real time, with real receivers on port 0: PagerDuty
 * (whose first answer is a 500), a signed webhook and a rollback webhook. The trigger is retried
 * and the resolve waits for it; the rollback receiver is called once; the incident keeps every
 * attempt.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class NotificationsHttpTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @TempDir Path dir;

  private final ServerFixture fixture = new ServerFixture();
  private RecordingReceiver receivers;
  private final AtomicInteger pagerDutyCalls = new AtomicInteger();
  private WebClient client;

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  private Future<Integer> startReceivers(Vertx vertx) {
    return RecordingReceiver.start(
            vertx,
            (path, response) -> {
              if (path.equals("/pd")) {
                boolean first = pagerDutyCalls.getAndIncrement() == 0;
                response
                    .setStatusCode(first ? 500 : 202)
                    .end(first ? "" : "{\"status\":\"success\"}");
              } else {
                response.setStatusCode(204).end();
              }
            })
        .map(
            r -> {
              receivers = r;
              return r.port();
            });
  }

  private Future<Void> startServer(Vertx vertx, int receiverPort) throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        rules.resolve("errors.yaml"),
        """
        rules:
          - name: checkout-errors
            select: {service: checkout}
            window: 2s
            when: error_rate > 50%
            severity: critical
            annotations: {summary: "checkout error rate {{value}}"}
        """);
    String base = "http://127.0.0.1:" + receiverPort;
    String yaml =
        "evaluation_interval: 200ms\nrules: ["
            + rules
            + "]\nreceivers:\n"
            + "  pd: {type: pagerduty, routing_key: "
            + "R".repeat(32)
            + ", url: "
            + base
            + "/pd, initial_backoff: 10ms, max_backoff: 20ms}\n"
            + "  hook: {type: webhook, url: "
            + base
            + "/hook, secret: "
            + SECRET
            + "}\n"
            + "  rollback: {type: webhook, url: "
            + base
            + "/rollback, secret: "
            + SECRET
            + ", rollback: true}\n"
            + "routes:\n  critical: [pd, hook, rollback]\n";
    return fixture
        .start(vertx, TestServers.config(dir.resolve("data"), yaml), Clock.system())
        .map(
            c -> {
              client = c;
              return null;
            });
  }

  private Future<Void> push(boolean ok) {
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(TestServers.requests("checkout", ok, 20)))
        .mapEmpty();
  }

  /** Pushes ({@code ok} or failing requests) every 100 ms until {@code done}. */
  private Future<Void> pushUntil(Vertx vertx, boolean ok, BooleanSupplier done, int attemptsLeft) {
    if (done.getAsBoolean()) {
      return Future.succeededFuture();
    }
    if (attemptsLeft == 0) {
      return Future.failedFuture("gave up waiting; receivers got: " + receivers.got);
    }
    return push(ok)
        .compose(v -> vertx.timer(100))
        .compose(t -> pushUntil(vertx, ok, done, attemptsLeft - 1));
  }

  private List<RecordingReceiver.Got> at(String path) {
    return receivers.at(path);
  }

  @Test
  void anIncidentReachesEveryReceiverInOrderAndKeepsItsTimeline(Vertx vertx, VertxTestContext ctx) {
    startReceivers(vertx)
        .compose(
            port -> {
              try {
                return startServer(vertx, port);
              } catch (Exception e) {
                return Future.failedFuture(e);
              }
            })
        .compose(
            v ->
                pushUntil(
                    vertx, false, () -> at("/pd").size() >= 2 && at("/hook").size() >= 1, 100))
        .compose(
            v ->
                pushUntil(
                    vertx,
                    true,
                    () ->
                        at("/pd").size() >= 3
                            && at("/hook").stream()
                                .anyMatch(g -> g.json().getString("event").equals("resolved")),
                    100))
        .compose(
            v -> {
              List<RecordingReceiver.Got> pd = at("/pd");
              String incident = pd.get(0).json().getString("dedup_key");
              ctx.verify(
                  () -> {
                    // PagerDuty: the trigger answered 500, was retried, and only then the resolve
                    assertThat(pd)
                        .extracting(g -> g.json().getString("event_action"))
                        .containsExactly("trigger", "trigger", "resolve");
                    assertThat(pd)
                        .extracting(g -> g.json().getString("dedup_key"))
                        .containsOnly(incident);
                    assertThat(pd.get(0).json().getJsonObject("payload").getString("summary"))
                        .isEqualTo("checkout error rate 100%");
                    // the signed webhook: firing then resolved, both verifiable
                    List<RecordingReceiver.Got> hook = at("/hook");
                    assertThat(hook)
                        .extracting(g -> g.headers().get("webhook-id"))
                        .containsExactly(incident + ":firing", incident + ":resolved");
                    assertThat(hook).allMatch(g -> g.signedWith(SECRET));
                    JsonObject firing = hook.get(0).json();
                    assertThat(firing.getString("threshold")).isEqualTo("> 50%");
                    assertThat(firing.getJsonArray("slis").getJsonObject(0).getLong("samples"))
                        .isPositive();
                    // the rollback receiver: once, never on resolve
                    assertThat(at("/rollback"))
                        .singleElement()
                        .satisfies(
                            g -> {
                              assertThat(g.json().getString("event")).isEqualTo("rollback");
                              assertThat(g.headers().get("webhook-id"))
                                  .isEqualTo(incident + ":rollback");
                              assertThat(g.signedWith(SECRET)).isTrue();
                            });
                  });
              return client.get("/api/v1/incidents/" + incident).send();
            })
        .compose(
            r -> {
              JsonObject incident = r.bodyAsJsonObject();
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(incident.getString("state")).isEqualTo("resolved");
                    assertThat(incident.getJsonArray("receivers"))
                        .containsExactly("pd", "hook", "rollback");
                    JsonArray attempts = incident.getJsonArray("attempts");
                    List<String> pdAttempts =
                        attempts.stream()
                            .map(JsonObject.class::cast)
                            .filter(a -> a.getString("receiver").equals("pd"))
                            .map(a -> a.getString("event") + " " + a.getInteger("status"))
                            .toList();
                    assertThat(pdAttempts)
                        .containsExactly("firing 500", "firing 202", "resolved 202");
                    assertThat(incident.getJsonObject("firing").getString("reason"))
                        .startsWith("error_rate > 50% held for 0s");
                  });
              return client.get("/api/v1/incidents/" + incident.getString("id") + "/report").send();
            })
        .compose(
            report -> {
              ctx.verify(
                  () -> {
                    assertThat(report.getHeader("content-type")).startsWith("text/markdown");
                    assertThat(report.bodyAsString())
                        .startsWith("# Postmortem: checkout-errors")
                        .contains("## Timeline (UTC)")
                        .contains("notified pd (firing, attempt 1): HTTP 500")
                        .contains("## Action items");
                  });
              return client.get("/metrics").send();
            })
        .onComplete(
            ctx.succeeding(
                metrics ->
                    ctx.verify(
                        () -> {
                          assertThat(metrics.bodyAsString())
                              .contains(
                                  "rollguard_notifications_total{outcome=\"delivered\",receiver=\"pd\"} 2.0")
                              .contains(
                                  "rollguard_notification_attempts_total{receiver=\"pd\",result=\"5xx\"} 1.0")
                              .contains("rollguard_notifications_queued{receiver=\"hook\"} 0.0");
                          ctx.completeNow();
                        })));
  }

  @Test
  void unknownIncidentsAre404(Vertx vertx, VertxTestContext ctx) throws Exception {
    startServer(vertx, 1)
        .compose(v -> client.get("/api/v1/incidents/nope").send())
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(404));
              return client.get("/api/v1/incidents?state=open").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.bodyAsJsonObject().getJsonArray("incidents")).isEmpty();
                          ctx.completeNow();
                        })));
  }
}
