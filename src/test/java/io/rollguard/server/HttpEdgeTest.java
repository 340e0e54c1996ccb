package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile or merely unusual client does to the HTTP edge, against the real server: each
 * request gets an answer it can read, and none costs the server more than what it really sent.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class HttpEdgeTest {

  private static final Pattern INFLIGHT = Pattern.compile("(?m)^rollguard_ingest_inflight (\\S+)");

  @TempDir Path dataDir;

  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  private Future<Void> start(Vertx vertx, String yaml) throws Exception {
    return fixture
        .start(vertx, TestServers.config(dataDir, yaml), TestServers.clock())
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

  private int port() {
    return fixture.server().port();
  }

  private Future<HttpResponse<Buffer>> postJson(String body) {
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  /** The ingest bodies being read now, as {@code /metrics} says. */
  private Future<Integer> inflight() {
    return client
        .get("/metrics")
        .send()
        .map(
            r -> {
              Matcher m = INFLIGHT.matcher(r.bodyAsString());
              return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
            });
  }

  /** Polls {@code check} every 50 ms until it holds, for at most 20 s. */
  private static Future<Void> eventually(Vertx vertx, Supplier<Future<Boolean>> check) {
    return eventually(vertx, check, 400);
  }

  private static Future<Void> eventually(
      Vertx vertx, Supplier<Future<Boolean>> check, int attemptsLeft) {
    return check
        .get()
        .compose(
            ok -> {
              if (ok) {
                return Future.succeededFuture();
              }
              if (attemptsLeft == 0) {
                return Future.failedFuture("the condition never held");
              }
              return vertx.timer(50).compose(t -> eventually(vertx, check, attemptsLeft - 1));
            });
  }

  @Test
  void aHistogramAskingForAPresetDictionaryIsRefusedAndTheServerStaysUp(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    String body =
        "{\"service\":\"a\",\"histograms\":[{\"end\":"
            + TestServers.NOW
            + ",\"hdr\":\"HISTFAAAACd4+VUmCCOTaZkszMDAwMwAAUxQmhFEXJu8hMH+A0TgOCMTAGEYBVM=\"}]}";
    start(vertx, "")
        .compose(v -> postJson(body))
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(400);
                    assertThat(
                            r.bodyAsJsonObject()
                                .getJsonArray("errors")
                                .getJsonObject(0)
                                .getString("error"))
                        .isEqualTo("histograms[0]: hdr asks for a preset zlib dictionary");
                  });
              return client.get("/healthz").send();
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
  void aDeclaredLengthCostsNothingUntilItsBytesArriveAndEverySlotComesBack(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    int connections = 64;
    List<RawConnection> open = new ArrayList<>();
    long heapBefore = heapUsedAfterGc();
    start(vertx, "")
        .compose(
            v -> {
              List<Future<?>> writes = new ArrayList<>();
              for (int i = 0; i < connections; i++) {
                writes.add(
                    RawConnection.open(vertx, port())
                        .compose(
                            c -> {
                              open.add(c);
                              return c.write(
                                  RawConnection.post("/api/v1/ingest", "application/json", 8L << 20)
                                      + "{");
                            }));
              }
              return Future.all(writes);
            })
        // every one of them holds a slot while its body is (not) arriving
        .compose(v -> eventually(vertx, () -> inflight().map(n -> n == connections)))
        .compose(
            v -> {
              long grown = heapUsedAfterGc() - heapBefore;
              // 64 x 8 MiB = 512 MiB if the declared length were allocated up front
              ctx.verify(() -> assertThat(grown).isLessThan(128L << 20));
              open.forEach(RawConnection::close);
              // clients that vanish mid-body give their slots back
              return eventually(vertx, () -> inflight().map(n -> n == 0));
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  private static long heapUsedAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void aGzipBodyThatDoesNotInflateGetsA400ThatSaysSo(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    // a valid gzip header (magic, deflate, no flags), then bytes that are no deflate stream
    Buffer body = Buffer.buffer(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
    body.appendString("this is not a deflate stream at all, just text");
    start(vertx, "")
        .compose(
            v ->
                client
                    .post("/api/v1/ingest")
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Content-Encoding", "gzip")
                    .sendBuffer(body))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(400);
                          assertThat(r.bodyAsJsonObject().getString("error"))
                              .startsWith("the body does not decompress");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aClientThatWritesItsWholeBodyBeforeReadingReceivesThe413(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    int size = 12 << 20; // over the default max_body_bytes of 8 MiB
    Buffer body = Buffer.buffer(new byte[size]);
    start(vertx, "")
        .compose(v -> RawConnection.open(vertx, port()))
        .compose(
            c ->
                c.write(RawConnection.post("/api/v1/ingest", "application/json", size))
                    .compose(v -> c.write(body))
                    .compose(v -> c.await("\r\n\r\n"))
                    .compose(v -> c.closed()))
        .onComplete(
            ctx.succeeding(
                received ->
                    ctx.verify(
                        () -> {
                          assertThat(received).startsWith("HTTP/1.1 413");
                          assertThat(received).contains("larger than max_body_bytes");
                          ctx.completeNow();
                        })));
  }

  @Test
  void expectContinueIsAnsweredWith100BeforeTheBodyIsSent(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    String body = "{\"service\":\"a\",\"latency_ms\":5}";
    start(vertx, "")
        .compose(v -> RawConnection.open(vertx, port()))
        .compose(
            c ->
                c.write(
                        RawConnection.post(
                            "/api/v1/ingest",
                            "application/json",
                            body.length(),
                            "Expect: 100-continue"))
                    .compose(v -> c.await("HTTP/1.1 100 Continue\r\n\r\n"))
                    .compose(v -> c.write(body))
                    .compose(v -> c.await("\"accepted\":1")))
        .onComplete(
            ctx.succeeding(
                received ->
                    ctx.verify(
                        () -> {
                          assertThat(received).contains("HTTP/1.1 200 OK");
                          ctx.completeNow();
                        })));
  }

  @Test
  void expectContinueGetsARefusalAtOnceInsteadOfA100(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx, "")
        .compose(v -> RawConnection.open(vertx, port()))
        .compose(
            c ->
                c.write(
                        RawConnection.post(
                            "/api/v1/ingest", "application/json", 1L << 30, "Expect: 100-continue"))
                    .compose(v -> c.closed()))
        .onComplete(
            ctx.succeeding(
                received ->
                    ctx.verify(
                        () -> {
                          assertThat(received).startsWith("HTTP/1.1 413").doesNotContain("100");
                          ctx.completeNow();
                        })));
  }

  @Test
  void adminRefusalsSayHowToAuthenticate(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx, "auth: {admin_token: s3cret}")
        .compose(v -> client.post("/-/reload").send())
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(401);
                          assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer");
                          assertThat(r.bodyAsString()).doesNotContain("s3cret");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aConnectionThatNeverFinishesItsHeadersIsClosed(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx, "server: {host: 127.0.0.1, port: 0, idle_timeout: 300ms}")
        .compose(v -> RawConnection.open(vertx, port()))
        .compose(
            c ->
                // a slowloris: a request line and one header, then a byte now and then
                c.write("POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\n")
                    .compose(v -> vertx.timer(150))
                    .compose(v -> c.write("X-a: 1\r\n"))
                    .compose(v -> vertx.timer(150))
                    .compose(v -> c.write("X-b: 2\r\n"))
                    .compose(v -> vertx.timer(150))
                    .compose(v -> c.write("X-c: 3\r\n"))
                    // the server may have closed before the last writes: what counts is the close
                    .transform(ar -> c.closed()))
        .compose(
            received -> {
              ctx.verify(() -> assertThat(received).isEmpty());
              return inflight();
            })
        .onComplete(
            ctx.succeeding(
                n ->
                    ctx.verify(
                        () -> {
                          assertThat(n).isZero();
                          ctx.completeNow();
                        })));
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    String body = "{\"service\":\"a\",\"latency_ms\":5}";
    start(vertx, "server: {host: 127.0.0.1, port: 0, idle_timeout: 300ms}")
        .compose(v -> RawConnection.open(vertx, port()))
        .compose(
            c ->
                c.write(RawConnection.post("/api/v1/ingest", "application/json", body.length()))
                    .compose(v -> c.write(body))
                    .compose(v -> c.closed()))
        .onComplete(
            ctx.succeeding(
                received ->
                    ctx.verify(
                        () -> {
                          assertThat(received)
                              .startsWith("HTTP/1.1 200")
                              .contains("\"accepted\":1");
                          ctx.completeNow();
                        })));
  }

  @Test
  void aBodyThatTricklesIsCutOffWith408AndGivesItsSlotBack(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx, "limits: {body_timeout: 300ms, body_min_rate: 1MiB}")
        .compose(v -> RawConnection.open(vertx, port()))
        .compose(
            c ->
                c.write(RawConnection.post("/api/v1/ingest", "application/x-ndjson", 1_000))
                    .compose(v -> c.write("{\"service\":"))
                    .compose(v -> c.closed()))
        .compose(
            received -> {
              ctx.verify(
                  () ->
                      assertThat(received)
                          .startsWith("HTTP/1.1 408")
                          .contains("the body arrived too slowly"));
              return inflight();
            })
        .onComplete(
            ctx.succeeding(
                n ->
                    ctx.verify(
                        () -> {
                          assertThat(n).isZero();
                          ctx.completeNow();
                        })));
  }
}
