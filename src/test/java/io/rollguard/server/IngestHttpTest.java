package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class IngestHttpTest {

  @TempDir Path dataDir;

  private final ManualClock clock = TestServers.clock();
  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  /**
   * Held in a field: Vert.x closes a client (and its connections) once it is garbage collected, and
   * a test whose request must stay open cannot have that.
   */
  private HttpClient http;

  private Future<Void> start(Vertx vertx, String yaml) throws Exception {
    return fixture
        .start(vertx, TestServers.config(dataDir, yaml), clock)
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

  private Future<HttpResponse<Buffer>> postAs(String token, String body) {
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", "application/json")
        .putHeader("Authorization", "Bearer " + token)
        .sendBuffer(Buffer.buffer(body));
  }

  private Future<HttpResponse<Buffer>> post(String contentType, String body) {
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(body));
  }

  @Test
  void aMixedBatchIsAcceptedItemByItemAndCanBeQueried(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    String body =
        """
        {"service": "checkout", "labels": {"stage": "canary"},
         "requests": [{"latency_ms": 100, "ok": true}, {"latency_ms": 300, "status": 503},
                      {"latency_ms": -5}, {"latency_ms": 200}]}
        """;
    start(vertx, "")
        .compose(v -> post("application/json", body))
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(200);
                    JsonObject json = r.bodyAsJsonObject();
                    assertThat(json.getLong("accepted")).isEqualTo(3);
                    assertThat(json.getLong("rejected")).isEqualTo(1);
                    assertThat(json.getJsonArray("errors").getJsonObject(0).getString("error"))
                        .isEqualTo("requests[2]: latency_ms must be a finite number >= 0");
                  });
              return client.get("/api/v1/query?service=checkout&stage=canary&window=5m").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          JsonObject result =
                              r.bodyAsJsonObject().getJsonArray("results").getJsonObject(0);
                          assertThat(result.getLong("count")).isEqualTo(3);
                          assertThat(result.getLong("errors")).isEqualTo(1);
                          assertThat(result.getDouble("p50")).isBetween(199.0, 201.0);
                          assertThat(result.getDouble("request_rate")).isEqualTo(3 / 300.0);
                          ctx.completeNow();
                        })));
  }

  @Test
  void queriesGroupByALabelAndSayWhenThereIsNoData(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    String body =
        "[{\"service\":\"s\",\"labels\":{\"stage\":\"canary\"},\"latency_ms\":10},"
            + "{\"service\":\"s\",\"labels\":{\"stage\":\"stable\"},\"latency_ms\":20},"
            + "{\"service\":\"s\",\"labels\":{\"stage\":\"stable\"},\"latency_ms\":30}]";
    start(vertx, "")
        .compose(v -> post("application/json", body))
        .compose(r -> client.get("/api/v1/query?service=s&by=stage").send())
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    var results = r.bodyAsJsonObject().getJsonArray("results");
                    assertThat(results).hasSize(2);
                    for (int i = 0; i < 2; i++) {
                      JsonObject g = results.getJsonObject(i);
                      long expected =
                          "canary".equals(g.getJsonObject("labels").getString("stage")) ? 1 : 2;
                      assertThat(g.getLong("count")).isEqualTo(expected);
                    }
                  });
              return client.get("/api/v1/query?service=nothing-here").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          JsonObject empty =
                              r.bodyAsJsonObject().getJsonArray("results").getJsonObject(0);
                          assertThat(empty.getLong("count")).isZero();
                          assertThat(empty.getValue("p95")).isNull();
                          assertThat(empty.getValue("error_rate")).isNull();
                          ctx.completeNow();
                        })));
  }

  @Test
  void badRequestsGetTheRightStatusAndAJsonError(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx, "limits: {max_body_bytes: 1KiB}")
        .compose(v -> post("application/json", "{\"service\": \"a\", \"requests\": [ {"))
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(400);
                    assertThat(r.bodyAsJsonObject().getString("error")).contains("line 1, column");
                  });
              return post("application/json", "{\"requests\": [{\"latency_ms\": 1}]}");
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(400));
              return post("text/csv", "a,b");
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(415));
              return post(
                  "application/json", "{\"service\":\"a\",\"pad\":\"" + "x".repeat(2_000) + "\"}");
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(413));
              return client.get("/api/v1/query?window=2h").send();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(400));
              return client.get("/api/v1/query?endpoint=~(").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(400);
                          assertThat(r.bodyAsJsonObject().getString("error"))
                              .contains("regular expression");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aChunkedBodyOverTheLimitIsCutOffWith413(Vertx vertx, VertxTestContext ctx) throws Exception {
    http = vertx.createHttpClient(new HttpClientOptions());
    start(vertx, "limits: {max_body_bytes: 1KiB}")
        .compose(
            v ->
                http.request(
                    new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost("127.0.0.1")
                        .setPort(fixture.server().port())
                        .setURI("/api/v1/ingest")))
        .compose(
            req -> {
              req.putHeader("Content-Type", "application/json").setChunked(true);
              req.write("{\"service\":\"a\",\"pad\":\"");
              for (int i = 0; i < 4; i++) {
                req.write("y".repeat(512));
              }
              return req.response();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(413);
                          ctx.completeNow();
                        })));
  }

  @Test
  void ndjsonWithABrokenLineKeepsTheOtherLines(Vertx vertx, VertxTestContext ctx) throws Exception {
    String body =
        "{\"service\":\"n\",\"latency_ms\":1}\n{\"service\":\"n\",\"latency_ms\":}\n{\"service\":\"n\",\"latency_ms\":3}\n";
    start(vertx, "")
        .compose(v -> post("application/x-ndjson", body))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          JsonObject json = r.bodyAsJsonObject();
                          assertThat(json.getLong("accepted")).isEqualTo(2);
                          assertThat(json.getLong("rejected")).isEqualTo(1);
                          assertThat(
                                  json.getJsonArray("errors").getJsonObject(0).getInteger("line"))
                              .isEqualTo(2);
                          ctx.completeNow();
                        })));
  }

  @Test
  void gzipBodiesAreInflated(Vertx vertx, VertxTestContext ctx) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(
          "{\"service\":\"z\",\"requests\":[{\"latency_ms\":1},{\"latency_ms\":2}]}"
              .getBytes(StandardCharsets.UTF_8));
    }
    start(vertx, "")
        .compose(
            v ->
                client
                    .post("/api/v1/ingest")
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Content-Encoding", "gzip")
                    .sendBuffer(Buffer.buffer(bytes.toByteArray())))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          assertThat(r.bodyAsJsonObject().getLong("accepted")).isEqualTo(2);
                          ctx.completeNow();
                        })));
  }

  @Test
  void aGzipBombIsCutOffAtTheInflatedLimit(Vertx vertx, VertxTestContext ctx) throws Exception {
    // 8 MB of spaces inside a JSON string compress to a few KB; the limit is 64 KiB inflated.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write("{\"service\":\"z\",\"pad\":\"".getBytes(StandardCharsets.UTF_8));
      byte[] spaces = " ".repeat(1 << 16).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 128; i++) {
        gz.write(spaces);
      }
      gz.write("\"}".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(bytes.size()).isLessThan(64 * 1024);
    start(vertx, "limits: {max_body_bytes: 64KiB}")
        .compose(
            v ->
                client
                    .post("/api/v1/ingest")
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Content-Encoding", "gzip")
                    .sendBuffer(Buffer.buffer(bytes.toByteArray())))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(413);
                          assertThat(r.bodyAsJsonObject().getString("error"))
                              .contains("max_body_bytes");
                          ctx.completeNow();
                        })));
  }

  @Test
  void tokensAreRequiredAndMayBeBoundToServices(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    String yaml =
        "auth:\n  ingest_tokens:\n    - {token: all-services}\n    - {token: checkout-only, services: [checkout]}\n";
    String checkout = "{\"service\":\"checkout\",\"latency_ms\":1}";
    String search = "{\"service\":\"search\",\"latency_ms\":1}";
    start(vertx, yaml)
        .compose(v -> post("application/json", checkout))
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(401));
              return postAs("wrong", checkout);
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(401));
              return postAs("checkout-only", search);
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(403));
              return postAs("checkout-only", checkout);
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return postAs("all-services", search);
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          ctx.completeNow();
                        })));
  }

  @Test
  void theCardinalityCapAnswers429ForNewSeriesOnly(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx, "limits: {max_series_per_service: 1}")
        .compose(
            v ->
                post(
                    "application/json",
                    "{\"service\":\"c\",\"labels\":{\"pod\":\"1\"},\"latency_ms\":1}"))
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return post(
                  "application/json",
                  "{\"service\":\"c\",\"labels\":{\"pod\":\"2\"},\"latency_ms\":1}");
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(r.getHeader("Retry-After")).isEqualTo("1");
                  });
              return post(
                  "application/json",
                  "{\"service\":\"c\",\"labels\":{\"pod\":\"1\"},\"latency_ms\":2}");
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return client.get("/metrics").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.bodyAsString())
                              .contains(
                                  "rollguard_ingest_rejected_total{reason=\"cardinality\"} 1.0")
                              .contains("rollguard_ingest_samples_total{kind=\"requests\"} 2.0")
                              .contains("rollguard_series_active{kind=\"requests\"} 1.0");
                          ctx.completeNow();
                        })));
  }

  @Test
  void tooManyRequestsInFlightAreShedWith429(Vertx vertx, VertxTestContext ctx) throws Exception {
    http = vertx.createHttpClient(new HttpClientOptions());
    start(vertx, "limits: {max_inflight_requests: 1}")
        .compose(
            v ->
                http.request(
                    new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost("127.0.0.1")
                        .setPort(fixture.server().port())
                        .setURI("/api/v1/ingest")))
        .onComplete(
            ctx.succeeding(
                slow -> {
                  // A request that starts its body and then waits holds the only slot...
                  slow.putHeader("Content-Type", "application/x-ndjson").setChunked(true);
                  slow.write("{\"service\":\"slow\",\"latency_ms\":1}\n");
                  // ...so, once the server reports that slot taken, the next one is shed.
                  untilInflight(vertx, 1)
                      .compose(
                          v -> post("application/json", "{\"service\":\"fast\",\"latency_ms\":1}"))
                      .onComplete(
                          ctx.succeeding(
                              shed -> {
                                ctx.verify(
                                    () -> {
                                      assertThat(shed.statusCode()).isEqualTo(429);
                                      assertThat(shed.getHeader("Retry-After")).isEqualTo("1");
                                    });
                                slow.end();
                                slow.response()
                                    .onComplete(
                                        ctx.succeeding(
                                            done ->
                                                ctx.verify(
                                                    () -> {
                                                      assertThat(done.statusCode()).isEqualTo(200);
                                                      ctx.completeNow();
                                                    })));
                              }));
                }));
  }

  /** Polls {@code /metrics} until the ingest in-flight gauge reads {@code n}. */
  private Future<Void> untilInflight(Vertx vertx, int n) {
    return client
        .get("/metrics")
        .send()
        .compose(
            r ->
                r.bodyAsString().contains("\nrollguard_ingest_inflight " + n + ".0\n")
                    ? Future.<Void>succeededFuture()
                    : vertx.timer(20).compose(t -> untilInflight(vertx, n)));
  }

  @Test
  void theSeriesListAndHealthEndpointsAnswer(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx, "")
        .compose(
            v ->
                post(
                    "application/json",
                    "{\"service\":\"s\",\"latency_ms\":1,\"gauges\":[{\"name\":\"g\",\"value\":1}],\"checks\":[{\"name\":\"db\",\"ok\":true}]}"))
        .compose(r -> client.get("/api/v1/series?service=s").send())
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    JsonObject json = r.bodyAsJsonObject();
                    assertThat(json.getInteger("total")).isEqualTo(3);
                    assertThat(json.getJsonArray("series").getJsonObject(0).getLong("last_seen"))
                        .isEqualTo(TestServers.NOW);
                  });
              return client.get("/api/v1/series?kind=gauge").send();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.bodyAsJsonObject().getInteger("total")).isEqualTo(1));
              return client.get("/healthz").send();
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
              return client.get("/readyz").send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("ready");
                          ctx.completeNow();
                        })));
  }
}
