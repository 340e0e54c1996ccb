package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.Clock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts end to end on the real server, in real time with short windows: a healthy canary is
 * promoted, a canary 2.5x slower than its baseline is rolled back and the rollback receiver (a real
 * HTTP server) is called once with a signed payload; the Flagger gates answer 200 or 409 to match.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RolloutsHttpTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @TempDir Path dir;

  private final ServerFixture fixture = new ServerFixture();
  private RecordingReceiver receiver;
  private WebClient client;
  private io.rollguard.config.RollguardConfig config;

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  private Future<Void> start(Vertx vertx) {
    return RecordingReceiver.start(vertx)
        .compose(
            started -> {
              receiver = started;
              try {
                Path rules = Files.createDirectories(dir.resolve("rules"));
                Files.writeString(
                    rules.resolve("rollout.yaml"),
                    """
                    rollouts:
                      - name: checkout
                        select: {service: checkout}
                        baseline: {stage: stable}
                        window: 3s
                        min_samples: 20
                        stages:
                          - {name: canary, traffic: 10%, min_duration: 2s}
                          - {name: gradual, traffic: 50%, min_duration: 2s}
                          - {name: full, traffic: 100%}
                        promote_when:
                          - p95 < 200ms
                          - error_rate < 1%
                        rollback_when:
                          - {when: error_rate > 5%, for: 1s}
                          - {when: p95 > 1.10 * baseline(p95), consecutive: 3}
                        notify: [rollback, changes]
                    slos:
                      - name: checkout-availability
                        select: {service: checkout}
                        objective: 99.9%
                        good: ok and latency < 300ms
                        page: [rollback]
                    """);
                String yaml =
                    "evaluation_interval: 200ms\nrules: ["
                        + rules
                        + "]\nreceivers:\n  rollback: {type: webhook, url: "
                        + receiver.url("/rollback")
                        + ", secret: "
                        + SECRET
                        + ", rollback: true}\n"
                        + "  changes: {type: pagerduty, routing_key: "
                        + "R".repeat(32)
                        + ", url: "
                        + receiver.url("/v2/enqueue")
                        + ", change_events: only}\n";
                config = TestServers.config(dir.resolve("data"), yaml);
                return fixture.start(vertx, config, Clock.system());
              } catch (Exception e) {
                return Future.failedFuture(e);
              }
            })
        .map(
            c -> {
              client = c;
              return null;
            });
  }

  /** 20 baseline requests at 100 ms and 20 of {@code stage} at {@code latencyMillis}. */
  private Future<Void> push(String stage, double latencyMillis) {
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(
            Buffer.buffer("[" + batch("stable", 100) + "," + batch(stage, latencyMillis) + "]"))
        .mapEmpty();
  }

  private static String batch(String stage, double latencyMillis) {
    StringBuilder sb =
        new StringBuilder(
            "{\"service\":\"checkout\",\"labels\":{\"stage\":\"" + stage + "\"},\"requests\":[");
    for (int i = 0; i < 20; i++) {
      sb.append(i > 0 ? "," : "").append("{\"latency_ms\":").append(latencyMillis).append('}');
    }
    return sb.append("]}").toString();
  }

  /** Pushes traffic every 100 ms until the rollout's verdict is {@code wanted}; returns it. */
  private Future<JsonObject> pushUntilVerdict(
      Vertx vertx, String stage, double latencyMillis, String wanted, int attemptsLeft) {
    return push(stage, latencyMillis)
        .compose(v -> client.get("/api/v1/rollouts/checkout").send())
        .compose(
            r -> {
              JsonObject verdict = r.bodyAsJsonObject();
              if (verdict.getString("verdict").equals(wanted)) {
                return Future.succeededFuture(verdict);
              }
              if (attemptsLeft == 0) {
                return Future.failedFuture("never saw " + wanted + "; last: " + verdict.encode());
              }
              return vertx
                  .timer(100)
                  .compose(
                      t -> pushUntilVerdict(vertx, stage, latencyMillis, wanted, attemptsLeft - 1));
            });
  }

  private Future<HttpResponse<Buffer>> gate(String which) {
    return client
        .post("/api/v1/gates/checkout/" + which)
        .sendJsonObject(
            new JsonObject()
                .put("name", "checkout")
                .put("namespace", "shop")
                .put("phase", "Progressing"));
  }

  @Test
  void aHealthyCanaryIsPromotedAndTheGatesSaySo(Vertx vertx, VertxTestContext ctx) {
    AtomicReference<JsonObject> promoted = new AtomicReference<>();
    start(vertx)
        .compose(v -> pushUntilVerdict(vertx, "canary", 100, "promote", 100))
        .compose(
            verdict -> {
              promoted.set(verdict);
              return gate("promote");
            })
        .compose(
            promote -> {
              ctx.verify(() -> assertThat(promote.statusCode()).isEqualTo(200));
              return gate("rollback");
            })
        .compose(
            rollback -> {
              ctx.verify(
                  () -> {
                    assertThat(rollback.statusCode()).isEqualTo(409);
                    assertThat(rollback.bodyAsJsonObject().getString("verdict"))
                        .isEqualTo("promote");
                  });
              return client
                  .put("/api/v1/rollouts/checkout/stage")
                  .sendJsonObject(new JsonObject().put("stage", "gradual"));
            })
        .compose(
            staged -> {
              JsonObject v = staged.bodyAsJsonObject();
              ctx.verify(
                  () -> {
                    JsonObject p = promoted.get();
                    assertThat(p.getJsonObject("stage").getString("name")).isEqualTo("canary");
                    assertThat(p.getString("next_stage")).isEqualTo("gradual");
                    assertThat(p.getJsonArray("promote_when").getJsonObject(0).getBoolean("holds"))
                        .isTrue();
                    assertThat(
                            p.getJsonArray("promote_when")
                                .getJsonObject(0)
                                .getJsonArray("slis")
                                .getJsonObject(0)
                                .getLong("samples"))
                        .isGreaterThanOrEqualTo(20);
                    assertThat(staged.statusCode()).isEqualTo(200);
                    assertThat(v.getString("verdict")).isEqualTo("hold");
                    assertThat(v.getJsonObject("stage").getString("name")).isEqualTo("gradual");
                    assertThat(v.getJsonObject("stage").getBoolean("set_by_deployer")).isTrue();
                    assertThat(v.getJsonArray("reasons").getString(0))
                        .isEqualTo(
                            "p95 < 200ms: not enough data in 3s (p95 over 0 requests; min_samples 20)");
                  });
              return client
                  .put("/api/v1/rollouts/checkout/stage")
                  .sendJsonObject(new JsonObject().put("stage", "everything"));
            })
        .compose(
            refused -> {
              ctx.verify(
                  () -> {
                    assertThat(refused.statusCode()).isEqualTo(400);
                    assertThat(refused.bodyAsJsonObject().getString("error"))
                        .isEqualTo(
                            "rollout 'checkout' has no stage 'everything' (stages: canary,"
                                + " gradual, full)");
                  });
              return client.get("/api/v1/slos").send();
            })
        .compose(
            slos -> {
              ctx.verify(
                  () -> {
                    JsonObject slo = slos.bodyAsJsonObject().getJsonArray("slos").getJsonObject(0);
                    assertThat(slo.getString("name")).isEqualTo("checkout-availability");
                    assertThat(slo.getString("status")).isEqualTo("PASS");
                    assertThat(slo.getLong("total_requests")).isPositive();
                    assertThat(slo.getDouble("error_budget_remaining")).isEqualTo(1.0);
                    assertThat(slo.getJsonObject("burn_rates").getDouble("5m")).isZero();
                    assertThat(receiver.at("/rollback")).isEmpty(); // nobody paged
                    assertThat(receiver.at("/v2/enqueue")).isEmpty();
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
                                  "rollguard_slo_error_budget_remaining{slo=\"checkout-availability\"} 1.0")
                              .contains(
                                  "rollguard_slo_burn_rate{slo=\"checkout-availability\",window=\"5m\"} 0.0")
                              .contains(
                                  "rollguard_rollout_verdict{rollout=\"checkout\",verdict=\"rollback\"} 0.0");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aSlowCanaryIsRolledBackAndTheRollbackReceiverIsCalledOnce(
      Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        // 250 ms against the baseline's 100 ms: 2.5x
        .compose(v -> pushUntilVerdict(vertx, "canary", 250, "rollback", 100))
        // keep the slow traffic coming for a second: still one call
        .compose(v -> vertx.timer(1_000))
        .compose(t -> push("canary", 250))
        .compose(v -> gate("rollback"))
        .compose(
            rollback -> {
              ctx.verify(() -> assertThat(rollback.statusCode()).isEqualTo(200));
              return gate("promote");
            })
        .compose(
            promote -> {
              JsonObject verdict = promote.bodyAsJsonObject();
              ctx.verify(
                  () -> {
                    assertThat(promote.statusCode()).isEqualTo(409);
                    assertThat(verdict.getString("verdict")).isEqualTo("rollback");
                    assertThat(verdict.getJsonArray("reasons").getString(0))
                        .startsWith("p95 > 1.10 * baseline(p95) held for");
                    assertThat(receiver.at("/rollback"))
                        .singleElement()
                        .satisfies(
                            got -> {
                              JsonObject call = got.json();
                              assertThat(got.signedWith(SECRET)).isTrue();
                              assertThat(call.getString("event")).isEqualTo("rollback");
                              assertThat(call.getJsonObject("rollout").getMap())
                                  .containsEntry("name", "checkout")
                                  .containsEntry("stage", "canary");
                              assertThat(call.getString("incident_id"))
                                  .isEqualTo(verdict.getString("incident_id"));
                              assertThat(call.getString("expr"))
                                  .isEqualTo("p95 > 1.10 * baseline(p95)");
                            });
                  });
              return client
                  .put("/api/v1/rollouts/checkout/stage")
                  .sendJsonObject(new JsonObject().put("stage", "canary"));
            })
        .compose(
            restart ->
                verified(
                    ctx,
                    () -> {
                      JsonObject v = restart.bodyAsJsonObject();
                      assertThat(v.getInteger("attempt")).isEqualTo(2);
                      assertThat(v.getString("incident_id")).isNull();
                    }))
        // PagerDuty's change timeline: the rollback, then the new attempt's stage; no page
        .compose(v -> changeEvents(vertx, 2, 50))
        .onComplete(
            ctx.succeeding(
                changes ->
                    ctx.verify(
                        () -> {
                          assertThat(changes.get(0).getJsonObject("payload").getString("summary"))
                              .startsWith(
                                  "checkout rolled back at stage canary: p95 > 1.10 *"
                                      + " baseline(p95) held for");
                          assertThat(changes.get(1).getJsonObject("payload").getString("summary"))
                              .isEqualTo(
                                  "checkout moved to stage canary (10% of traffic), attempt 2");
                          assertThat(receiver.at("/v2/enqueue")).isEmpty();
                          ctx.completeNow();
                        })));
  }

  /** Runs the checks inside the test context; the chain goes on only when they held. */
  private static Future<Void> verified(VertxTestContext ctx, Runnable checks) {
    try {
      checks.run();
      return Future.succeededFuture();
    } catch (AssertionError e) {
      ctx.failNow(e);
      return Future.failedFuture(e);
    }
  }

  /** The change events PagerDuty got, once there are {@code wanted} (polled every 100 ms). */
  private Future<java.util.List<JsonObject>> changeEvents(Vertx vertx, int wanted, int left) {
    var got = receiver.at("/v2/change/enqueue");
    if (got.size() >= wanted || left == 0) {
      return Future.succeededFuture(got.stream().map(RecordingReceiver.Got::json).toList());
    }
    return vertx.timer(100).compose(t -> changeEvents(vertx, wanted, left - 1));
  }

  @Test
  void aRestartKeepsTheStageTheRollbackAndTheSloCounts(Vertx vertx, VertxTestContext ctx) {
    AtomicReference<JsonObject> before = new AtomicReference<>();
    AtomicReference<Long> counted = new AtomicReference<>();
    start(vertx)
        .compose(v -> pushUntilVerdict(vertx, "canary", 250, "rollback", 100))
        .compose(
            verdict -> {
              before.set(verdict);
              return client.get("/api/v1/slos").send();
            })
        .compose(
            slos -> {
              counted.set(
                  slos.bodyAsJsonObject()
                      .getJsonArray("slos")
                      .getJsonObject(0)
                      .getLong("total_requests"));
              // a graceful stop, and a new server on the same data directory
              return fixture.server().close();
            })
        .compose(v -> fixture.start(vertx, config, Clock.system()))
        .compose(
            c -> {
              client = c;
              return vertx.timer(500);
            })
        .compose(t -> client.get("/api/v1/rollouts/checkout").send())
        .compose(
            r -> {
              JsonObject after = r.bodyAsJsonObject();
              ctx.verify(
                  () -> {
                    assertThat(after.getString("verdict")).isEqualTo("rollback");
                    assertThat(after.getString("incident_id"))
                        .isEqualTo(before.get().getString("incident_id"));
                    assertThat(after.getJsonObject("stage").getLong("since"))
                        .isEqualTo(before.get().getJsonObject("stage").getLong("since"));
                  });
              return client.get("/api/v1/slos").send();
            })
        .compose(
            slos -> {
              ctx.verify(
                  () ->
                      assertThat(
                              slos.bodyAsJsonObject()
                                  .getJsonArray("slos")
                                  .getJsonObject(0)
                                  .getLong("total_requests"))
                          .isGreaterThanOrEqualTo(counted.get()));
              // slow traffic goes on after the restart: the rollback is not called again
              return push("canary", 250).compose(v -> vertx.timer(1_000));
            })
        .onComplete(
            ctx.succeeding(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(receiver.at("/rollback")).hasSize(1);
                          // one change event for the rollback, not another after the restart
                          assertThat(receiver.at("/v2/change/enqueue")).hasSize(1);
                          ctx.completeNow();
                        })));
  }
}
