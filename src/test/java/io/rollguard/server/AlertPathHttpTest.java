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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert path when it is asked to say what broke, and when something on it breaks: every payload
 * names the canary; a page the outbox cannot take is retried, counted and shown, never lost; a
 * refused rule file set warns; a rules path that empties keeps its rules. Real server, real
 * receivers on port 0, real time (evaluation every 200 ms).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AlertPathHttpTest {

  private static final String RULE =
      """
      rules:
        - name: canary-errors
          select: {service: checkout, stage: canary}
          window: 2s
          when: error_rate > 50%
          severity: critical
      """;

  @TempDir Path dir;

  private final ServerFixture fixture = new ServerFixture();
  private RecordingReceiver receiver;
  private WebClient client;
  private Path rules;

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  /** A receiver answering as each service would, then the server routing everything to it. */
  private Future<Void> start(Vertx vertx, String extraYaml) {
    return RecordingReceiver.start(
            vertx,
            (path, response) -> {
              switch (path) {
                case "/pd" -> response.setStatusCode(202).end("{\"status\":\"success\"}");
                case "/slack" -> response.setStatusCode(200).end("ok");
                default -> response.setStatusCode(204).end();
              }
            })
        .compose(
            r -> {
              receiver = r;
              try {
                rules = Files.createDirectories(dir.resolve("rules"));
                Files.writeString(rules.resolve("canary.yaml"), RULE);
                String yaml =
                    "evaluation_interval: 200ms\nrules: ["
                        + rules
                        + "]\n"
                        + extraYaml
                        + "receivers:\n"
                        + "  hook: {type: webhook, url: "
                        + r.url("/hook")
                        + "}\n"
                        + "  pd: {type: pagerduty, routing_key: "
                        + "R".repeat(32)
                        + ", url: "
                        + r.url("/pd")
                        + "}\n"
                        + "  am: {type: webhook, format: alertmanager, url: "
                        + r.url("/am")
                        + "}\n"
                        + "  slack: {type: slack, url: "
                        + r.url("/slack")
                        + "}\n"
                        + "routes:\n  critical: [hook, pd, am, slack]\n  warning: [hook]\n";
                return fixture.start(
                    vertx, TestServers.config(dir.resolve("data"), yaml), Clock.system());
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

  private Future<Void> pushCanary(boolean ok) {
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

  /** Pushes canary traffic every 100 ms until {@code done} holds (at most 20 s). */
  private Future<Void> pushUntil(Vertx vertx, boolean ok, Supplier<Future<Boolean>> done) {
    return pushUntil(vertx, ok, done, 200);
  }

  private Future<Void> pushUntil(
      Vertx vertx, boolean ok, Supplier<Future<Boolean>> done, int attemptsLeft) {
    return done.get()
        .compose(
            yes -> {
              if (yes) {
                return Future.succeededFuture();
              }
              if (attemptsLeft == 0) {
                return Future.failedFuture("gave up waiting; the receiver got " + receiver.got);
              }
              return pushCanary(ok)
                  .compose(v -> vertx.timer(100))
                  .compose(t -> pushUntil(vertx, ok, done, attemptsLeft - 1));
            });
  }

  private Future<Boolean> got(String path, int atLeast) {
    return Future.succeededFuture(receiver.at(path).size() >= atLeast);
  }

  private Future<JsonObject> getJson(String uri) {
    return client.get(uri).send().map(HttpResponse::bodyAsJsonObject);
  }

  private Future<HttpResponse<Buffer>> reload() {
    return client.post("/-/reload").send();
  }

  @Test
  void everyPayloadSaysWhatBroke(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> canary = Map.of("service", "checkout", "stage", "canary");
    start(vertx, "")
        .compose(
            v ->
                pushUntil(
                    vertx,
                    false,
                    () ->
                        Future.succeededFuture(
                            List.of("/hook", "/pd", "/am", "/slack").stream()
                                .allMatch(p -> !receiver.at(p).isEmpty()))))
        .compose(
            v -> {
              ctx.verify(
                  () -> {
                    assertThat(receiver.at("/hook").get(0).json().getJsonObject("labels").getMap())
                        .isEqualTo(canary);
                    JsonObject pd = receiver.at("/pd").get(0).json().getJsonObject("payload");
                    assertThat(pd.getJsonObject("custom_details").getJsonObject("labels").getMap())
                        .isEqualTo(canary);
                    assertThat(pd.getString("source")).isEqualTo("checkout");
                    JsonObject am =
                        receiver
                            .at("/am")
                            .get(0)
                            .json()
                            .getJsonArray("alerts")
                            .getJsonObject(0)
                            .getJsonObject("labels");
                    assertThat(am.getString("alertname")).isEqualTo("canary-errors");
                    assertThat(am.getString("service")).isEqualTo("checkout");
                    assertThat(am.getString("stage")).isEqualTo("canary");
                    assertThat(receiver.at("/slack").get(0).body().toString()).contains("canary");
                  });
              return getJson("/api/v1/alerts");
            })
        .onComplete(
            ctx.succeeding(
                alerts ->
                    ctx.verify(
                        () -> {
                          assertThat(
                                  alerts
                                      .getJsonArray("alerts")
                                      .getJsonObject(0)
                                      .getJsonObject("labels")
                                      .getMap())
                              .isEqualTo(canary);
                          ctx.completeNow();
                        })));
  }

  @Test
  void aPageTheOutboxCannotTakeIsRetriedCountedAndShownUntilItCan(
      Vertx vertx, VertxTestContext ctx) {
    Path outbox = dir.resolve("data/outbox");
    start(vertx, "")
        .compose(
            v -> {
              try {
                // a directory that cannot be written into, even by root: a file in its place
                Files.delete(outbox);
                Files.writeString(outbox, "not a directory");
              } catch (IOException e) {
                return Future.failedFuture(e);
              }
              return pushUntil(
                  vertx,
                  false,
                  () ->
                      getJson("/api/v1/rules")
                          .map(r -> r.getJsonObject("outbox").getInteger("unwritten") > 0));
            })
        .compose(v -> client.get("/readyz").send())
        .compose(
            ready -> {
              ctx.verify(
                  () -> {
                    assertThat(ready.statusCode()).isEqualTo(503);
                    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("outbox"))
                        .contains("alert transition(s) not written");
                    assertThat(receiver.got).isEmpty();
                  });
              return client.get("/metrics").send();
            })
        .compose(
            metrics -> {
              ctx.verify(
                  () ->
                      assertThat(metrics.bodyAsString())
                          .containsPattern("rollguard_notifications_outbox_failures_total [1-9]")
                          .containsPattern("rollguard_notifications_unwritten [1-9]"));
              try {
                Files.delete(outbox);
                Files.createDirectory(outbox);
              } catch (IOException e) {
                return Future.failedFuture(e);
              }
              // the disk is back: the page goes out at the next evaluation, once
              return pushUntil(vertx, false, () -> got("/hook", 1));
            })
        .compose(v -> vertx.timer(600))
        .compose(v -> client.get("/readyz").send())
        .compose(
            ready -> {
              ctx.verify(
                  () -> {
                    assertThat(ready.statusCode()).isEqualTo(200);
                    assertThat(receiver.at("/hook"))
                        .singleElement()
                        .satisfies(
                            g -> assertThat(g.json().getString("event")).isEqualTo("firing"));
                    assertThat(receiver.at("/pd")).hasSize(1);
                  });
              return getJson("/api/v1/incidents");
            })
        .onComplete(
            ctx.succeeding(
                incidents ->
                    ctx.verify(
                        () -> {
                          assertThat(incidents.getJsonArray("incidents")).hasSize(1);
                          ctx.completeNow();
                        })));
  }

  @Test
  void aRefusedRuleFileSetWarnsOnceAndResolvesWhenFixed(Vertx vertx, VertxTestContext ctx) {
    start(vertx, "")
        .compose(
            v -> {
              try {
                Files.writeString(
                    rules.resolve("broken.yaml"), "rules:\n  - name: x\n    when: p95 > 1%\n");
              } catch (IOException e) {
                return Future.failedFuture(e);
              }
              return reload();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(400));
              return reload(); // refused again: still the same warning, not a second one
            })
        .compose(v -> pushUntil(vertx, true, () -> got("/hook", 1)))
        .compose(
            v -> {
              JsonObject warning = receiver.at("/hook").get(0).json();
              ctx.verify(
                  () -> {
                    assertThat(warning.getString("event")).isEqualTo("firing");
                    assertThat(warning.getString("rule")).isEqualTo("rule-files");
                    assertThat(warning.getString("severity")).isEqualTo("warning");
                    assertThat(warning.getString("reason"))
                        .contains("broken.yaml:3:15: cannot compare a duration (p95) with a ratio");
                    assertThat(receiver.at("/pd")).isEmpty(); // a warning, not a page
                  });
              try {
                Files.delete(rules.resolve("broken.yaml"));
              } catch (IOException e) {
                return Future.failedFuture(e);
              }
              return reload();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return pushUntil(vertx, true, () -> got("/hook", 2));
            })
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(receiver.at("/hook"))
                              .extracting(g -> g.json().getString("event"))
                              .containsExactly("firing", "resolved");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aRulesPathThatEmptiesKeepsItsRulesAndResolvesNothing(Vertx vertx, VertxTestContext ctx) {
    start(vertx, "")
        .compose(v -> pushUntil(vertx, false, () -> got("/pd", 1)))
        .compose(
            v -> {
              try {
                Files.delete(rules.resolve("canary.yaml")); // a volume remounting, say
              } catch (IOException e) {
                return Future.failedFuture(e);
              }
              return reload();
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(400);
                    assertThat(r.bodyAsString()).contains("allow_empty_rules");
                  });
              return getJson("/api/v1/alerts");
            })
        .compose(
            alerts -> {
              ctx.verify(
                  () ->
                      assertThat(alerts.getJsonArray("alerts").getJsonObject(0).getString("state"))
                          .isEqualTo("firing"));
              return vertx.timer(600);
            })
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          // the page was not resolved by the vanished file; the refusal warned
                          assertThat(receiver.at("/pd"))
                              .extracting(g -> g.json().getString("event_action"))
                              .containsExactly("trigger");
                          assertThat(receiver.at("/hook"))
                              .extracting(g -> g.json().getString("rule"))
                              .containsExactly("canary-errors", "rule-files");
                          ctx.completeNow();
                        })));
  }

  @Test
  void anEmptyRuleSetIsTakenWhenTheConfigurationSaysItIsMeant(Vertx vertx, VertxTestContext ctx) {
    start(vertx, "allow_empty_rules: true\n")
        .compose(v -> pushUntil(vertx, false, () -> got("/pd", 1)))
        .compose(
            v -> {
              try {
                Files.delete(rules.resolve("canary.yaml"));
              } catch (IOException e) {
                return Future.failedFuture(e);
              }
              return reload();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return pushUntil(vertx, true, () -> got("/pd", 2));
            })
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(receiver.at("/pd").get(1).json().getString("event_action"))
                              .isEqualTo("resolve");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aFileWatchReloadThatCannotReadAFileIsShownAndCounted(Vertx vertx, VertxTestContext ctx) {
    start(vertx, "")
        .compose(
            v -> {
              try {
                // a link that leads nowhere: what a ConfigMap swap or a remount leaves for a moment
                Files.createSymbolicLink(rules.resolve("gone.yaml"), dir.resolve("nowhere.yaml"));
              } catch (IOException e) {
                return Future.failedFuture(e);
              }
              // no POST /-/reload: the file watch (every 2 s) finds the change by itself
              return pushUntil(
                  vertx,
                  true,
                  () ->
                      getJson("/api/v1/rules").map(r -> !r.getJsonObject("load").getBoolean("ok")));
            })
        .compose(v -> getJson("/api/v1/rules"))
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    JsonObject errors = r.getJsonObject("load").getJsonObject("errors");
                    assertThat(
                            errors.getJsonArray(rules.resolve("gone.yaml").toString()).getString(0))
                        .contains("gone.yaml:1:1: cannot read");
                    assertThat(r.getJsonArray("rules")).hasSize(1); // still running
                  });
              return client.get("/metrics").send();
            })
        .onComplete(
            ctx.succeeding(
                metrics ->
                    ctx.verify(
                        () -> {
                          assertThat(metrics.bodyAsString())
                              .containsPattern("rollguard_rules_reload_failures_total [1-9]");
                          ctx.completeNow();
                        })));
  }
}
