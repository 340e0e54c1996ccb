package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.ingest.RemoteWriteBodies;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus remote write 1.0 at {@code POST /api/v1/write}, against the real server on port 0,
 * with hand-built {@code WriteRequest}s: classic histograms reassembled from their buckets (in any
 * order, across requests, through resets, lost buckets and stale markers), native histograms,
 * gauges, and the answers senders act on.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RemoteWriteHttpTest {

  private static final long T = TestServers.NOW;
  private static final String HIST = "http_server_request_duration_seconds_bucket";

  @TempDir Path dataDir;

  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  private void start(Vertx vertx, String yaml) throws Exception {
    client =
        fixture
            .start(vertx, TestServers.config(dataDir, yaml), TestServers.clock())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  private HttpResponse<Buffer> write(byte[] body) throws Exception {
    return client
        .post("/api/v1/write")
        .putHeader("Content-Type", "application/x-protobuf")
        .putHeader("Content-Encoding", "snappy")
        .putHeader("X-Prometheus-Remote-Write-Version", "0.1.0")
        .sendBuffer(Buffer.buffer(body))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** Writes {@code body} and checks it was all taken (204). */
  private void written(byte[] body) throws Exception {
    HttpResponse<Buffer> r = write(body);
    assertThat(r.statusCode()).as("%s", r.bodyAsString()).isEqualTo(204);
  }

  private JsonObject query(String selector) throws Exception {
    HttpResponse<Buffer> r =
        client
            .get("/api/v1/query?window=5m&" + selector)
            .send()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    JsonArray results = r.bodyAsJsonObject().getJsonArray("results");
    assertThat(results).hasSize(1);
    return results.getJsonObject(0);
  }

  /** One scrape's buckets (le 0.1, 0.5, +Inf) of a checkout histogram, cumulative. */
  private static RemoteWriteBodies scrape(
      RemoteWriteBodies b, String code, long ts, double le01, double le05, double inf) {
    String[] les = {"0.1", "0.5", "+Inf"};
    double[] values = {le01, le05, inf};
    for (int i = 0; i < 3; i++) {
      b.series(
          new String[] {
            "__name__", HIST, "job", "api", "service", "checkout", "code", code, "le", les[i]
          },
          new double[] {values[i]},
          new long[] {ts});
    }
    return b;
  }

  @Test
  void classicHistogramsBecomePerScrapeCountsWithTheirBucketsBound(Vertx vertx) throws Exception {
    start(vertx, "");
    // scrape 1 is the starting line; scrape 2 adds 4 fast, 2 slow, 1 over 500 ms
    assertThat(
            write(scrape(new RemoteWriteBodies(), "200", T - 20_000, 10, 20, 21).snappy())
                .statusCode())
        .isEqualTo(204);
    // scrape 2 arrives in two requests, buckets out of order (Prometheus' shards)
    RemoteWriteBodies firstHalf = new RemoteWriteBodies();
    firstHalf.series(
        new String[] {
          "__name__", HIST, "job", "api", "service", "checkout", "code", "200", "le", "+Inf"
        },
        new double[] {28},
        new long[] {T - 10_000});
    written(firstHalf.snappy());
    assertThat(query("service=checkout").getLong("count")).isZero(); // not complete yet
    RemoteWriteBodies secondHalf = new RemoteWriteBodies();
    secondHalf.series(
        new String[] {
          "__name__", HIST, "job", "api", "service", "checkout", "code", "200", "le", "0.5"
        },
        new double[] {26},
        new long[] {T - 10_000});
    secondHalf.series(
        new String[] {
          "__name__", HIST, "job", "api", "service", "checkout", "code", "200", "le", "0.1"
        },
        new double[] {14},
        new long[] {T - 10_000});
    written(secondHalf.snappy());
    JsonObject r = query("service=checkout");
    assertThat(r.getLong("count")).isEqualTo(7);
    assertThat(r.getLong("errors")).isZero();
    // 4 of 7 in (0, 100 ms]: the median is "at most 100 ms", which the bucket does not bound
    assertThat(r.getDouble("p50")).isBetween(99.0, 101.0);
    assertThat(r.getValue("quantile_relative_error")).isNull();

    // a reset (the target restarted: counts went down) counts whole; 5xx series are errors
    RemoteWriteBodies after = scrape(new RemoteWriteBodies(), "200", T - 5_000, 1, 3, 3);
    scrape(after, "503", T - 20_000, 0, 0, 0);
    scrape(after, "503", T - 5_000, 0, 2, 2);
    written(after.snappy());
    r = query("service=checkout");
    assertThat(r.getLong("count")).isEqualTo(7 + 3 + 2);
    assertThat(r.getLong("errors")).isEqualTo(2);
    // resent samples add nothing
    written(after.snappy());
    assertThat(query("service=checkout").getLong("count")).isEqualTo(12);
    JsonObject codes = query("service=checkout&code=503");
    // (100 ms, 500 ms]: recorded at 166.7 ms, within (500-100)/(500+100) = 67%
    assertThat(codes.getDouble("p50")).isBetween(165.0, 168.5);
    assertThat(codes.getDouble("quantile_relative_error")).isBetween(0.666, 0.68);
  }

  @Test
  void aLostBucketIsCarriedByTheNextCompleteScrape(Vertx vertx) throws Exception {
    start(vertx, "");
    write(scrape(new RemoteWriteBodies(), "200", T - 30_000, 1, 1, 1).snappy());
    write(scrape(new RemoteWriteBodies(), "200", T - 20_000, 2, 2, 2).snappy());
    assertThat(query("service=checkout").getLong("count")).isEqualTo(1);
    // scrape 3 loses its +Inf bucket; scrape 4 is complete and carries scrape 3's counts
    RemoteWriteBodies lost = new RemoteWriteBodies();
    String[] base = {"__name__", HIST, "job", "api", "service", "checkout", "code", "200", "le"};
    lost.series(concat(base, "0.1"), new double[] {5}, new long[] {T - 10_000});
    lost.series(concat(base, "0.5"), new double[] {5}, new long[] {T - 10_000});
    write(lost.snappy());
    assertThat(query("service=checkout").getLong("count")).isEqualTo(1);
    write(scrape(new RemoteWriteBodies(), "200", T - 1_000, 9, 9, 9).snappy());
    assertThat(query("service=checkout").getLong("count")).isEqualTo(9 - 1);
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  @Test
  void gaugesStaleMarkersInfOnlyAndNativeHistogramsInOneRequest(Vertx vertx) throws Exception {
    start(
        vertx,
        "remote_write: {request_metrics: [http_server_request_duration_seconds,"
            + " rpc_latency_milliseconds]}\n");
    double stale = Double.longBitsToDouble(0x7ff0000000000002L);
    String[] nativeLabels = {
      "__name__", "http_server_request_duration_seconds", "job", "search", "instance", "a:9090"
    };
    RemoteWriteBodies b = new RemoteWriteBodies();
    b.series(
        new String[] {"__name__", "test_pass_rate", "job", "ci", "suite", "e2e"},
        new double[] {0.97, stale},
        new long[] {T - 2_000, T - 1_000});
    b.series(
        new String[] {"__name__", "up", "job", "api", "instance", "a:8080"},
        new double[] {1},
        new long[] {T - 1_000});
    // a histogram with only +Inf (counts, no latency), for a metric named by remote_write config
    String[] infOnly = {
      "__name__", "rpc_latency_milliseconds_bucket", "service", "ledger", "le", "+Inf"
    };
    b.series(infOnly, new double[] {3, 8}, new long[] {T - 20_000, T - 10_000});
    // native histogram, schema 3: starting line, then 10 more observations in two buckets
    b.nativeHistogram(nativeLabels, 3, 20, new long[] {5, 5}, 1, T - 20_000);
    b.nativeHistogram(nativeLabels, 3, 20, new long[] {10, 11}, 2, T - 10_000);
    HttpResponse<Buffer> r = write(b.snappy());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(204);
    String series =
        client
            .get("/api/v1/series")
            .send()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS)
            .bodyAsString();
    assertThat(series).contains("test_pass_rate").contains("\"suite\":\"e2e\"").contains("\"up\"");
    JsonObject ledger = query("service=ledger");
    assertThat(ledger.getLong("count")).isEqualTo(5);
    assertThat(ledger.getValue("p50")).isNull(); // +Inf only: how many, not how long
    JsonObject search = query("service=search");
    assertThat(search.getLong("count")).isEqualTo(5 + 6 + 1);
    // schema 3: buckets of base 2^(1/8), within 4.3% (+0.39%)
    assertThat(search.getDouble("quantile_relative_error")).isBetween(0.04, 0.05);
    // 1 zero, 5 in bucket 20 (upper bound 2^(20/8) s), 6 in bucket 21: p50 (rank 6) is in 20
    double upper = Math.pow(2, 20 / 8.0) * 1000;
    assertThat(search.getDouble("p50")).isBetween(upper / Math.pow(2, 1 / 8.0), upper * 1.005);
  }

  @Test
  void answersSendersActOn(Vertx vertx) throws Exception {
    start(
        vertx,
        "auth: {ingest_tokens: [{token: t1, services: [api]}]}\nlimits: {max_body_bytes: 64KiB}\n");
    byte[] ok =
        new RemoteWriteBodies()
            .series(new String[] {"__name__", "up", "job", "api"}, new double[] {1}, new long[] {T})
            .snappy();
    HttpResponse<Buffer> noToken = write(ok);
    assertThat(noToken.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> r =
        client
            .post("/api/v1/write")
            .putHeader("Content-Type", "application/x-protobuf")
            .putHeader("Content-Encoding", "snappy")
            .putHeader("Authorization", "Bearer t1")
            .sendBuffer(Buffer.buffer(ok))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(204);
    // not Snappy; a preamble promising more than the limit; not a WriteRequest; old samples
    assertThat(send("t1", new byte[] {(byte) 0x80}).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> huge =
        send("t1", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
    assertThat(huge.statusCode()).isEqualTo(413);
    HttpResponse<Buffer> garbage =
        send("t1", RemoteWriteBodies.snappy(new byte[] {0x0a, 0x7f, 0x01, 0x02}));
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.bodyAsString()).contains("not a remote write WriteRequest");
    byte[] old =
        new RemoteWriteBodies()
            .series(
                new String[] {"__name__", "up", "job", "api"},
                new double[] {1},
                new long[] {T - 7_200_000})
            .snappy();
    HttpResponse<Buffer> tooOld = send("t1", old);
    assertThat(tooOld.statusCode()).isEqualTo(400);
    assertThat(tooOld.bodyAsString()).contains("older than the longest window");
    // another service's data: 403
    byte[] other =
        new RemoteWriteBodies()
            .series(
                new String[] {"__name__", "up", "job", "billing"}, new double[] {1}, new long[] {T})
            .snappy();
    assertThat(send("t1", other).statusCode()).isEqualTo(403);
    // seeded corruptions of a valid body: 204 or 400 (or 413), never a 5xx
    byte[] valid = scrape(new RemoteWriteBodies(), "200", T, 1, 2, 3).snappy();
    Random random = new Random(13);
    for (int round = 0; round < 200; round++) {
      byte[] body = valid.clone();
      for (int i = 0; i < 1 + random.nextInt(6); i++) {
        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
      }
      HttpResponse<Buffer> corrupted = send("t1", body);
      assertThat(corrupted.statusCode())
          .as("round %d: %s", round, corrupted.bodyAsString())
          .isIn(204, 400, 403, 413);
    }
  }

  @Test
  void aNewSeriesOfAKnownTargetCountsItsFirstScrapeAndStaleHistogramsChangeNothing(Vertx vertx)
      throws Exception {
    start(vertx, "");
    // the target is heard from (200s only; its client creates the 500 series lazily)
    written(scrape(new RemoteWriteBodies(), "200", T - 30_000, 5, 5, 5).snappy());
    written(scrape(new RemoteWriteBodies(), "200", T - 20_000, 5, 5, 5).snappy());
    // the first 5xx: a new series whose first scrape already holds 2 failures
    written(scrape(new RemoteWriteBodies(), "500", T - 10_000, 0, 2, 2).snappy());
    written(scrape(new RemoteWriteBodies(), "500", T - 5_000, 0, 2, 2).snappy());
    JsonObject r = query("service=checkout&code=500");
    assertThat(r.getLong("count")).isEqualTo(2);
    assertThat(r.getLong("errors")).isEqualTo(2);

    // native: a stale marker between two histograms must not make the next one count whole
    String[] labels = {"__name__", "http_server_request_duration_seconds", "job", "search"};
    written(
        new RemoteWriteBodies()
            .nativeHistogram(labels, 3, 20, new long[] {5, 5}, 0, T - 30_000)
            .nativeHistogram(labels, 3, 20, new long[] {6, 5}, 0, T - 20_000)
            .staleNativeHistogram(labels, T - 15_000)
            .nativeHistogram(labels, 3, 20, new long[] {7, 5}, 0, T - 10_000)
            .snappy());
    assertThat(query("service=search").getLong("count")).isEqualTo(2);
  }

  @Test
  void aTokenMayNotTouchAnotherServicesHistogramsAndV2IsRefused(Vertx vertx) throws Exception {
    start(vertx, "auth: {ingest_tokens: [{token: t1, services: [api]}, {token: t2}]}\n");
    byte[] planted = scrape(new RemoteWriteBodies(), "200", T + 5_000, 0, 0, 0).snappy();
    assertThat(send("t1", planted).statusCode()).isEqualTo(403);
    // checkout's own scrapes count as if nothing had been planted
    assertThat(
            send("t2", scrape(new RemoteWriteBodies(), "200", T - 20_000, 1, 1, 1).snappy())
                .statusCode())
        .isEqualTo(204);
    assertThat(
            send("t2", scrape(new RemoteWriteBodies(), "200", T - 10_000, 4, 4, 4).snappy())
                .statusCode())
        .isEqualTo(204);
    assertThat(query("service=checkout").getLong("count")).isEqualTo(3);
    HttpResponse<Buffer> v2 =
        client
            .post("/api/v1/write")
            .putHeader(
                "Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request")
            .putHeader("Content-Encoding", "snappy")
            .putHeader("Authorization", "Bearer t2")
            .sendBuffer(Buffer.buffer(planted))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(v2.statusCode()).isEqualTo(415);
    assertThat(v2.bodyAsString()).contains("remote write 1.0");
  }

  private HttpResponse<Buffer> send(String token, byte[] body) throws Exception {
    return client
        .post("/api/v1/write")
        .putHeader("Content-Type", "application/x-protobuf")
        .putHeader("Content-Encoding", "snappy")
        .putHeader("Authorization", "Bearer " + token)
        .sendBuffer(Buffer.buffer(body))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }
}
