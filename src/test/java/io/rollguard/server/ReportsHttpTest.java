package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.Clock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/reports/{name}} on the real server: JSON, Markdown and HTML, and refusals. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ReportsHttpTest {

  @TempDir Path dir;

  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  private Future<Void> start(Vertx vertx) throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        rules.resolve("r.yaml"),
        """
        slos:
          - name: checkout-availability
            select: {service: checkout}
            objective: 99%
            period: 7d
            good: ok
        rollouts:
          - name: checkout
            select: {service: checkout}
            baseline: {stage: stable}
            stages: [{name: canary, traffic: 10%}, {name: full, traffic: 100%}]
            rollback_when: [error_rate > 90%]
        """);
    String yaml =
        "evaluation_interval: 200ms\nrules: ["
            + rules
            + "]\nreceivers:\n  log: {type: console}\n"
            + "reports:\n"
            + "  - {name: weekly, schedule: weekly on monday at 09:00, time_zone: Europe/Paris,"
            + " receivers: [log], include: [slos, incidents]}\n"
            + "  - {name: daily, schedule: daily at 09:00, receivers: [log]}\n";
    return fixture
        .start(vertx, TestServers.config(dir.resolve("data"), yaml), Clock.system())
        .map(
            c -> {
              client = c;
              return null;
            });
  }

  /** Reads the report until the SLO has counted the pushed requests and been evaluated. */
  private Future<JsonObject> reportOnceCounted(Vertx vertx, int left) {
    return client
        .get("/api/v1/reports/weekly?span=2d")
        .send()
        .compose(
            r -> {
              JsonObject body = r.bodyAsJsonObject();
              // before the first evaluation there is no SLO line; counts are read live, the
              // status is the last evaluation's: wait for all three
              JsonObject slo =
                  body.getJsonArray("slos").isEmpty()
                      ? new JsonObject().put("span_total_requests", 0).put("status", "NO_DATA")
                      : body.getJsonArray("slos").getJsonObject(0);
              if ((slo.getLong("span_total_requests") >= 20
                      && !slo.getString("status").equals("NO_DATA"))
                  || left == 0) {
                return Future.succeededFuture(body);
              }
              return vertx.timer(100).compose(t -> reportOnceCounted(vertx, left - 1));
            });
  }

  @Test
  void aReportRendersOnDemandOverTheAskedSpan(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx)
        .compose(
            v ->
                client
                    .post("/api/v1/ingest")
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(
                        Buffer.buffer(
                            "["
                                + TestServers.requests("checkout", true, 10)
                                + ","
                                + TestServers.requests("checkout", false, 10)
                                + "]")))
        .compose(v -> reportOnceCounted(vertx, 50))
        .compose(
            json -> {
              ctx.verify(
                  () -> {
                    assertThat(json.getString("name")).isEqualTo("weekly");
                    assertThat(json.getString("span")).isEqualTo("2d");
                    assertThat(json.getString("time_zone")).isEqualTo("Europe/Paris");
                    JsonObject slo = json.getJsonArray("slos").getJsonObject(0);
                    assertThat(slo.getString("name")).isEqualTo("checkout-availability");
                    assertThat(slo.getLong("span_total_requests")).isEqualTo(20);
                    assertThat(slo.getLong("span_good_requests")).isEqualTo(10);
                    assertThat(slo.getString("status")).isEqualTo("FAIL");
                    assertThat(json.containsKey("rollouts")).isFalse(); // not included
                  });
              return client.get("/api/v1/reports/weekly?format=markdown").send();
            })
        .compose(
            md -> {
              ctx.verify(
                  () -> {
                    assertThat(md.statusCode()).isEqualTo(200);
                    assertThat(md.getHeader("Content-Type")).startsWith("text/markdown");
                    assertThat(md.bodyAsString())
                        .startsWith("# Rollguard report weekly: ")
                        .contains("**checkout-availability** FAIL: 50% over 7d")
                        .contains("over the report's 7d (10 bad of 20)")
                        .contains("## Incidents: "); // the SLO may have paged by now
                  });
              return client
                  .get("/api/v1/reports/weekly")
                  .putHeader("Accept", "text/markdown")
                  .send();
            })
        .compose(
            md -> {
              ctx.verify(
                  () -> assertThat(md.getHeader("Content-Type")).startsWith("text/markdown"));
              return client.get("/api/v1/reports/weekly?format=html").send();
            })
        .compose(
            html -> {
              ctx.verify(
                  () ->
                      assertThat(html.bodyAsString())
                          .startsWith("<!DOCTYPE html>")
                          .contains("<h2>SLOs</h2>"));
              return client.get("/api/v1/reports/nope").send();
            })
        .compose(
            unknown -> {
              ctx.verify(
                  () -> {
                    assertThat(unknown.statusCode()).isEqualTo(404);
                    assertThat(unknown.bodyAsJsonObject().getString("error"))
                        .contains("no report named 'nope'");
                  });
              return client.get("/api/v1/reports/weekly?span=forever").send();
            })
        .compose(
            badSpan -> {
              ctx.verify(() -> assertThat(badSpan.statusCode()).isEqualTo(400));
              return client.get("/api/v1/reports/weekly?span=500d").send();
            })
        .compose(
            tooLong -> {
              ctx.verify(() -> assertThat(tooLong.statusCode()).isEqualTo(400));
              return client.get("/api/v1/reports/weekly?format=xml").send();
            })
        .compose(
            badFormat -> {
              ctx.verify(
                  () -> {
                    assertThat(badFormat.statusCode()).isEqualTo(400);
                    assertThat(badFormat.bodyAsJsonObject().getString("error"))
                        .contains("json, markdown or html");
                  });
              // a stage the deployer sets is in the rollout journal, and so in the report
              return client
                  .put("/api/v1/rollouts/checkout/stage")
                  .sendJsonObject(new JsonObject().put("stage", "full"));
            })
        .compose(set -> client.get("/api/v1/reports/daily").send())
        .onComplete(
            ctx.succeeding(
                daily ->
                    ctx.verify(
                        () -> {
                          JsonObject rollouts = daily.bodyAsJsonObject().getJsonObject("rollouts");
                          // (promoted at canary first: it has no promotion criteria)
                          assertThat(rollouts.getJsonArray("events").stream())
                              .map(
                                  e ->
                                      ((JsonObject) e).getString("event")
                                          + " "
                                          + ((JsonObject) e).getString("stage"))
                              .contains("promote canary", "stage full");
                          assertThat(
                                  rollouts.getJsonArray("now").getJsonObject(0).getString("stage"))
                              .isEqualTo("full");
                          ctx.completeNow();
                        })));
  }
}
