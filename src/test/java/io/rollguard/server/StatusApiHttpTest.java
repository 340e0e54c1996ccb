package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.Clock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the status page and dashboards read, on a real server with real time (evaluation every 200
 * ms): a rule's history shows it go pending then firing with its threshold, {@code /metrics}
 * carries the rule's value, threshold and state and the rollout's criteria, {@code
 * /api/v1/query_range} answers per step and refuses bad ranges, and {@code /} serves the page.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class StatusApiHttpTest {

  private static final String RULES =
      """
      rules:
        - name: canary-errors
          select: {service: checkout}
          by: [stage]
          window: 2s
          when: error_rate > 50%
          for: 400ms
      rollouts:
        - name: checkout
          select: {service: checkout}
          stage_label: stage
          baseline: {stage: stable}
          window: 2s
          stages:
            - {name: canary, traffic: 10%, min_duration: 1m}
            - {name: full, traffic: 100%}
          promote_when: [error_rate < 1%]
          rollback_when: [{when: error_rate > 50%}]
      slos:
        - name: checkout-availability
          select: {service: checkout}
          objective: 99%
          period: 7d
          good: ok
      """;

  @TempDir Path dir;

  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  private Future<Void> start(Vertx vertx) throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("r.yaml"), RULES);
    String yaml = "evaluation_interval: 200ms\nrules: [" + rules + "]\n";
    return fixture
        .start(vertx, TestServers.config(dir.resolve("data"), yaml), Clock.system())
        .map(
            c -> {
              client = c;
              return null;
            });
  }

  private Future<Void> push(boolean ok) {
    StringBuilder sb =
        new StringBuilder(
            "{\"service\":\"checkout\",\"labels\":{\"stage\":\"canary\"},\"requests\":[");
    for (int i = 0; i < 20; i++) {
      sb.append(i > 0 ? "," : "").append("{\"latency_ms\":10,\"ok\":").append(ok).append('}');
    }
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(sb.append("]}").toString()))
        .mapEmpty();
  }

  /**
   * Pushes failing canary traffic every 100 ms until {@code uri} answers what {@code done} wants.
   */
  private Future<JsonObject> pushUntil(
      Vertx vertx, String uri, Predicate<JsonObject> done, int attemptsLeft) {
    return client
        .get(uri)
        .send()
        .compose(
            r -> {
              JsonObject body = r.statusCode() == 200 ? r.bodyAsJsonObject() : null;
              if (body != null && done.test(body)) {
                return Future.succeededFuture(body);
              }
              if (attemptsLeft == 0) {
                return Future.failedFuture("gave up waiting for " + uri + ": " + r.bodyAsString());
              }
              return push(false)
                  .compose(v -> vertx.timer(100))
                  .compose(t -> pushUntil(vertx, uri, done, attemptsLeft - 1));
            });
  }

  private static final String LABELS =
      "{group=\"stage=canary\",rule=\"canary-errors\",severity=\"warning\"}";

  /** Pushes failing canary traffic every 100 ms until {@code /metrics} contains {@code line}. */
  private Future<String> pushUntilMetrics(Vertx vertx, String line, int attemptsLeft) {
    return push(false)
        .compose(v -> client.get("/metrics").send())
        .compose(
            r -> {
              String text = r.bodyAsString();
              if (text.contains(line)) {
                return Future.succeededFuture(text);
              }
              if (attemptsLeft == 0) {
                return Future.failedFuture("gave up waiting for " + line + " in /metrics");
              }
              return vertx.timer(100).compose(t -> pushUntilMetrics(vertx, line, attemptsLeft - 1));
            });
  }

  private static boolean firingIn(JsonObject history) {
    JsonArray instances = history.getJsonArray("instances");
    return instances.size() == 1
        && instances.getJsonObject(0).getJsonArray("state").getList().contains("firing");
  }

  @Test
  void theHistoryShowsARuleGoPendingThenFiringAndTheMetricsCarryIt(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx)
        .compose(
            v -> pushUntil(vertx, "/api/v1/rules/canary-errors/history", h -> firingIn(h), 200))
        .compose(
            history -> {
              ctx.verify(
                  () -> {
                    assertThat(history.getString("retention")).isEqualTo("1h");
                    JsonObject canary = history.getJsonArray("instances").getJsonObject(0);
                    assertThat(canary.getJsonObject("labels").getString("stage"))
                        .isEqualTo("canary");
                    int n = canary.getJsonArray("t").size();
                    assertThat(canary.getJsonArray("value")).hasSize(n);
                    assertThat(canary.getJsonArray("state")).hasSize(n);
                    assertThat(canary.getJsonArray("threshold").getList()).containsOnly(0.5);
                    assertThat(canary.getJsonArray("value").getDouble(n - 1)).isEqualTo(1.0);
                    JsonArray changes = canary.getJsonArray("transitions");
                    assertThat(changes.getJsonObject(0).getString("to")).isEqualTo("pending");
                    assertThat(changes.getJsonObject(1).getString("to")).isEqualTo("firing");
                    assertThat(changes.getJsonObject(1).getLong("at"))
                        .isGreaterThanOrEqualTo(changes.getJsonObject(0).getLong("at") + 400);
                  });
              // keep the breach going while /metrics is read: its 2 s window must stay failing
              return pushUntilMetrics(vertx, "rollguard_alert_state" + LABELS + " 2.0", 100);
            })
        .compose(
            text -> {
              ctx.verify(
                  () -> {
                    String labels = LABELS;
                    assertThat(text)
                        .contains("rollguard_alert_state" + labels + " 2.0")
                        .contains("rollguard_rule_threshold" + labels + " 0.5")
                        .contains("rollguard_rule_value" + labels + " 1.0")
                        .contains(
                            "rollguard_rollout_criterion_holds{criterion=\"error_rate > 50%\","
                                + "kind=\"rollback\",rollout=\"checkout\"} 1.0")
                        .contains(
                            "rollguard_rollout_criterion_threshold{criterion=\"error_rate < 1%\","
                                + "kind=\"promote\",rollout=\"checkout\"} 0.01")
                        .contains("rollguard_rule_groups_unexported 0.0")
                        .containsPattern("rollguard_history_bytes [1-9]");
                  });
              return client.get("/api/v1/rules").send();
            })
        .compose(
            rules -> {
              ctx.verify(
                  () ->
                      assertThat(
                              rules
                                  .bodyAsJsonObject()
                                  .getJsonArray("rules")
                                  .getJsonObject(0)
                                  .getJsonArray("instances")
                                  .getJsonObject(0)
                                  .getDouble("threshold"))
                          .isEqualTo(0.5));
              return client.get("/api/v1/slos/checkout-availability/history").send();
            })
        .compose(
            slo -> {
              ctx.verify(
                  () -> {
                    JsonObject body = slo.bodyAsJsonObject();
                    int n = body.getJsonArray("t").size();
                    assertThat(n).isPositive();
                    assertThat(body.getJsonArray("error_budget_remaining")).hasSize(n);
                    // every canary request failed: the budget is overspent
                    assertThat(body.getJsonArray("error_budget_remaining").getDouble(n - 1))
                        .isNegative();
                  });
              return client.get("/api/v1/rollouts/checkout").send();
            })
        .compose(
            rollout -> {
              ctx.verify(
                  () -> {
                    JsonObject v = rollout.bodyAsJsonObject();
                    assertThat(v.getJsonObject("select").getMap())
                        .containsEntry("service", "checkout");
                    assertThat(v.getString("stage_label")).isEqualTo("stage");
                    assertThat(v.getJsonObject("baseline").getMap())
                        .containsEntry("stage", "stable");
                  });
              return client.get("/api/v1/rules/nope/history").send();
            })
        .onComplete(
            ctx.succeeding(
                unknown -> {
                  ctx.verify(() -> assertThat(unknown.statusCode()).isEqualTo(404));
                  ctx.completeNow();
                }));
  }

  @Test
  void aRangeQueryAnswersPerStepAndRefusesBadRanges(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx)
        .compose(v -> push(false))
        .compose(v -> push(true))
        .compose(
            v -> {
              long now = System.currentTimeMillis(); // the server's clock is the system clock
              return client
                  .get(
                      "/api/v1/query_range?service=checkout&by=stage&window=1m&step=1s&start="
                          + (now - 4_000)
                          + "&end="
                          + (now + 2_000))
                  .send();
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(200);
                    JsonObject canary =
                        r.bodyAsJsonObject().getJsonArray("results").getJsonObject(0);
                    assertThat(canary.getJsonObject("labels").getString("stage"))
                        .isEqualTo("canary");
                    JsonArray count = canary.getJsonArray("count");
                    assertThat(count).hasSize(7);
                    // the last steps' windows hold all 40 requests, half of them failed
                    assertThat(count.getLong(6)).isEqualTo(40);
                    assertThat(canary.getJsonArray("error_rate").getDouble(6)).isEqualTo(0.5);
                    assertThat(canary.getJsonArray("p95").getDouble(6)).isBetween(9.9, 10.1);
                  });
              return bad("/api/v1/query_range?start=2026-12-01T10:00:00Z&end=2026-12-01T09:00:00Z");
            })
        .compose(
            msg -> {
              ctx.verify(() -> assertThat(msg).contains("start must not be after end"));
              return bad("/api/v1/query_range?start=0&end=86400000&step=1s");
            })
        .compose(
            msg -> {
              ctx.verify(() -> assertThat(msg).contains("at most 11000 points"));
              return bad("/api/v1/query_range?start=yesterday");
            })
        .compose(
            msg -> {
              ctx.verify(() -> assertThat(msg).contains("epoch milliseconds or RFC 3339"));
              return bad("/api/v1/query_range?start=-9223372036854775808&end=2147483646&step=1ms");
            })
        .compose(
            msg -> {
              ctx.verify(() -> assertThat(msg).contains("between 1970 and the year 9999"));
              return bad("/api/v1/query_range?start=0&end=253402300799999&step=1ms");
            })
        .compose(
            msg -> {
              ctx.verify(() -> assertThat(msg).contains("at most 11000 points"));
              return bad("/api/v1/query_range?window=2h");
            })
        .onComplete(
            ctx.succeeding(
                msg -> {
                  ctx.verify(() -> assertThat(msg).contains("max_window"));
                  ctx.completeNow();
                }));
  }

  /** The error message of a request that must answer 400. */
  private Future<String> bad(String uri) {
    return client
        .get(uri)
        .send()
        .map(
            r -> {
              assertThat(r.statusCode()).as(uri).isEqualTo(400);
              return r.bodyAsJsonObject().getString("error");
            });
  }

  @Test
  void theStatusPageIsServedFromTheJarWithASafeContentPolicy(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx)
        .compose(v -> client.get("/").send())
        .compose(
            (HttpResponse<Buffer> page) -> {
              ctx.verify(
                  () -> {
                    assertThat(page.statusCode()).isEqualTo(200);
                    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
                    assertThat(page.getHeader("Content-Security-Policy"))
                        .contains("default-src 'self'");
                    assertThat(page.bodyAsString()).contains("app.js").contains("uPlot");
                  });
              return client.get("/app.js").send();
            })
        .compose(
            js -> {
              ctx.verify(() -> assertThat(js.statusCode()).isEqualTo(200));
              return client.get("/api/v1/nothing-here").send();
            })
        .onComplete(
            ctx.succeeding(
                missing -> {
                  ctx.verify(() -> assertThat(missing.statusCode()).isEqualTo(404));
                  ctx.completeNow();
                }));
  }
}
