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
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules on the real server, in real time (the lifecycle itself is tested on virtual time in
 * AlertStateMachineTest and RuleEngineTest): a pushed breach fires, recovery resolves, and reloads
 * refuse broken files while the old rules keep running.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AlertingHttpTest {

  private static final String RULE =
      """
      rules:
        - name: checkout-errors
          select: {service: checkout}
          window: 2s
          when: error_rate > 50%
          severity: critical
      """;

  @TempDir Path dir;

  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  private Future<Void> start(Vertx vertx) throws Exception {
    return start(vertx, "");
  }

  private Future<Void> start(Vertx vertx, String extraYaml) throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("errors.yaml"), RULE);
    String yaml =
        "server: {host: 127.0.0.1, port: 0}\nevaluation_interval: 200ms\nrules: ["
            + rules
            + "]\n"
            + extraYaml;
    return fixture
        .start(vertx, TestServers.config(dir.resolve("data"), yaml), Clock.system())
        .map(
            c -> {
              client = c;
              return null;
            });
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  private Future<Void> push(boolean ok, int n) {
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(TestServers.requests("checkout", ok, n)))
        .mapEmpty();
  }

  /**
   * Polls {@code path} every 100 ms (pushing {@code keepPushing} first, if set) until {@code done}.
   */
  private Future<JsonObject> until(
      Vertx vertx, String path, Boolean keepPushing, Predicate<JsonObject> done, int attemptsLeft) {
    Future<Void> before = keepPushing == null ? Future.succeededFuture() : push(keepPushing, 20);
    return before
        .compose(v -> client.get(path).send())
        .compose(
            r -> {
              JsonObject body = r.bodyAsJsonObject();
              if (done.test(body) || attemptsLeft == 0) {
                return Future.succeededFuture(body);
              }
              return vertx
                  .timer(100)
                  .compose(t -> until(vertx, path, keepPushing, done, attemptsLeft - 1));
            });
  }

  private static boolean firing(JsonObject alerts) {
    JsonArray list = alerts.getJsonArray("alerts");
    return !list.isEmpty() && "firing".equals(list.getJsonObject(0).getString("state"));
  }

  @Test
  void aPushedBreachFiresAndRecoveryResolves(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx)
        .compose(v -> push(false, 50))
        .compose(v -> until(vertx, "/api/v1/alerts", null, AlertingHttpTest::firing, 50))
        .compose(
            alerts -> {
              ctx.verify(
                  () -> {
                    assertThat(firing(alerts)).as("fired: %s", alerts).isTrue();
                    JsonObject alert = alerts.getJsonArray("alerts").getJsonObject(0);
                    assertThat(alert.getString("rule")).isEqualTo("checkout-errors");
                    assertThat(alert.getString("incident_id")).hasSize(16);
                    assertThat(alert.getDouble("value")).isEqualTo(1.0);
                  });
              // Healthy traffic: once the failures leave the 2 s window, the alert resolves.
              return until(
                  vertx, "/api/v1/alerts", true, a -> a.getJsonArray("alerts").isEmpty(), 80);
            })
        .compose(
            alerts -> {
              ctx.verify(
                  () ->
                      assertThat(alerts.getJsonArray("alerts"))
                          .as("resolved: %s", alerts)
                          .isEmpty());
              return client.get("/api/v1/rules").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          JsonObject body = r.bodyAsJsonObject();
                          assertThat(body.getJsonObject("load").getBoolean("ok")).isTrue();
                          JsonObject rule = body.getJsonArray("rules").getJsonObject(0);
                          assertThat(rule.getString("when")).isEqualTo("error_rate > 50%");
                          assertThat(
                                  rule.getJsonArray("instances")
                                      .getJsonObject(0)
                                      .getString("state"))
                              .isEqualTo("inactive");
                          ctx.completeNow();
                        })));
  }

  @Test
  void withAnAdminTokenReloadNeedsIt(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx, "auth: {admin_token: s3cret}\n")
        .compose(v -> client.post("/-/reload").send())
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(401));
              return client.post("/-/reload").putHeader("Authorization", "Bearer wrong").send();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(401));
              return client.post("/-/reload").putHeader("Authorization", "Bearer s3cret").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          assertThat(r.bodyAsString()).doesNotContain("s3cret");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aBrokenRuleFileIsRefusedWholeAndTheOldRulesKeepRunning(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx)
        .compose(
            v -> {
              try {
                Files.writeString(
                    dir.resolve("rules/errors.yaml"),
                    RULE + "  - name: broken\n    when: p95 > 1%\n");
              } catch (java.io.IOException e) {
                return Future.failedFuture(e);
              }
              return client.post("/-/reload").send();
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(400);
                    JsonObject errors = r.bodyAsJsonObject().getJsonObject("errors");
                    assertThat(
                            errors
                                .getJsonArray(dir.resolve("rules/errors.yaml").toString())
                                .getString(0))
                        .endsWith(":8:15: cannot compare a duration (p95) with a ratio (1%)");
                    assertThat(r.bodyAsJsonObject().getInteger("active_rules")).isEqualTo(1);
                  });
              return client.get("/readyz").send();
            })
        .compose(
            r -> {
              // the old rules keep running: still ready (one typo must not empty a load balancer)
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return client.get("/api/v1/rules").send();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.bodyAsJsonObject().getJsonArray("rules")).hasSize(1));
              try {
                Files.writeString(dir.resolve("rules/errors.yaml"), RULE.replace("50%", "40%"));
              } catch (java.io.IOException e) {
                return Future.failedFuture(e);
              }
              return client.post("/-/reload").send();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return client.get("/api/v1/rules").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(
                                  r.bodyAsJsonObject()
                                      .getJsonArray("rules")
                                      .getJsonObject(0)
                                      .getString("when"))
                              .isEqualTo("error_rate > 40%");
                          ctx.completeNow();
                        })));
  }
}
