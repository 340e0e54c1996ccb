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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read API answers every poll with a whole JSON body while alerts, rollouts and SLOs change
 * state under it (what {@code rollguard demo} and deployers do): never an empty or failed answer.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ApiWhileStatesChangeHttpTest {

  private static final List<String> READS =
      List.of(
          "/api/v1/alerts",
          "/api/v1/rules",
          "/api/v1/rollouts/shop",
          "/api/v1/slos",
          "/api/v1/incidents",
          "/api/v1/query?service=shop&window=1s&by=stage",
          "/readyz");

  @TempDir Path dir;

  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  @Test
  void everyPollGetsAWholeJsonAnswerWhileStatesFlip(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        rules.resolve("shop.yaml"),
        """
        rules:
          - name: shop-canary-errors
            select: {service: shop, stage: canary}
            window: 1s
            when: error_rate > 50%
        rollouts:
          - name: shop
            select: {service: shop}
            baseline: {stage: stable}
            window: 1s
            stages: [{name: canary, traffic: 10%}, {name: full, traffic: 100%}]
            rollback_when: [{when: error_rate > 50%}]
        slos:
          - name: shop-availability
            select: {service: shop}
            objective: 99%
            period: 30d
        """);
    String yaml = "evaluation_interval: 100ms\nrules: [" + rules + "]\n";
    Set<String> problems = ConcurrentHashMap.newKeySet();
    AtomicInteger answered = new AtomicInteger();
    fixture
        .start(vertx, TestServers.config(dir.resolve("data"), yaml), Clock.system())
        .compose(
            c -> {
              client = c;
              List<Future<Void>> loops = new ArrayList<>();
              loops.add(flip(vertx, 0));
              for (String uri : READS) {
                loops.add(poll(vertx, uri, 60, problems, answered));
              }
              return Future.all(loops);
            })
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(problems).isEmpty();
                          assertThat(answered.get()).isEqualTo(READS.size() * 60);
                          ctx.completeNow();
                        })));
  }

  /** Canary traffic that fails every other half second: alerts, rollbacks and burns flip. */
  private Future<Void> flip(Vertx vertx, int round) {
    if (round == 60) {
      return Future.succeededFuture();
    }
    boolean ok = (round / 5) % 2 == 0;
    String body =
        "[{\"service\":\"shop\",\"labels\":{\"stage\":\"canary\"},\"requests\":"
            + requests(ok)
            + "},{\"service\":\"shop\",\"labels\":{\"stage\":\"stable\"},\"requests\":"
            + requests(true)
            + "}]";
    return client
        .post("/api/v1/ingest")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body))
        .compose(r -> vertx.timer(50))
        .compose(t -> flip(vertx, round + 1));
  }

  private static String requests(boolean ok) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 10; i++) {
      sb.append(i > 0 ? "," : "").append("{\"latency_ms\":5,\"ok\":").append(ok).append('}');
    }
    return sb.append(']').toString();
  }

  private Future<Void> poll(
      Vertx vertx, String uri, int left, Set<String> problems, AtomicInteger answered) {
    if (left == 0) {
      return Future.succeededFuture();
    }
    return client
        .get(uri)
        .send()
        .transform(
            ar -> {
              if (ar.failed()) {
                problems.add(uri + ": " + ar.cause());
              } else {
                answered.incrementAndGet();
                var r = ar.result();
                String type = r.getHeader("Content-Type");
                if (r.statusCode() != 200 && !(uri.equals("/readyz") && r.statusCode() == 503)) {
                  problems.add(uri + ": HTTP " + r.statusCode() + " " + r.bodyAsString());
                } else if (type == null || !type.startsWith("application/json")) {
                  problems.add(uri + ": content type " + type);
                } else {
                  try {
                    new JsonObject(r.bodyAsString());
                  } catch (RuntimeException e) {
                    problems.add(uri + ": body '" + r.bodyAsString() + "': " + e);
                  }
                }
              }
              return vertx.timer(50).<Void>mapEmpty();
            })
        .compose(v -> poll(vertx, uri, left - 1, problems, answered));
  }
}
