package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar killed with {@code kill -9} while a PagerDuty trigger is still being retried: the
 * restarted process delivers it from the outbox, does not page again although the breach goes on,
 * and sends the resolve for the same incident once the service recovers.
 */
class KillRestartJarIT {

  /** A PagerDuty-like receiver (a real Vert.x server) answering with a status we can change. */
  static final class PagerDuty {
    final Vertx vertx = Vertx.vertx();
    final AtomicInteger status = new AtomicInteger(500);
    private final List<JsonObject> got = new ArrayList<>();
    private final List<Integer> answers = new ArrayList<>();
    int port;

    void start() throws Exception {
      port =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.body()
                          .onSuccess(
                              body -> {
                                int answer = status.get();
                                arrived(body.toJsonObject(), answer);
                                req.response().setStatusCode(answer).end();
                              }))
              .listen(0, "127.0.0.1")
              .await()
              .actualPort();
    }

    private synchronized void arrived(JsonObject event, int answer) {
      got.add(event);
      answers.add(answer);
      notifyAll();
    }

    /** Waits up to {@code millis} for {@code done} to hold over what arrived so far. */
    synchronized boolean await(Predicate<PagerDuty> done, long millis) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (!done.test(this)) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
      return true;
    }

    synchronized List<String> log() {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < got.size(); i++) {
        out.add(
            got.get(i).getString("event_action")
                + " "
                + got.get(i).getString("dedup_key")
                + " -> "
                + answers.get(i));
      }
      return out;
    }

    synchronized long count(String action, int answer) {
      long n = 0;
      for (int i = 0; i < got.size(); i++) {
        if (got.get(i).getString("event_action").equals(action) && answers.get(i) == answer) {
          n++;
        }
      }
      return n;
    }
  }

  @TempDir Path dir;

  private final PagerDuty pagerDuty = new PagerDuty();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stopReceiver() {
    pagerDuty.vertx.close().await();
  }

  private void push(String base, boolean ok) throws Exception {
    StringBuilder sb = new StringBuilder("{\"service\":\"checkout\",\"requests\":[");
    for (int i = 0; i < 20; i++) {
      sb.append(i > 0 ? "," : "").append("{\"latency_ms\":10,\"ok\":").append(ok).append('}');
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/ingest"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(sb.append("]}").toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  /** Pushes every 100 ms until {@code done}, for at most {@code millis}. */
  private boolean pushUntil(String base, boolean ok, Predicate<PagerDuty> done, long millis)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      push(base, ok);
      if (pagerDuty.await(done, 100)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aPendingTriggerSurvivesKillNineAndTheIncidentResolvesAfterTheRestart() throws Exception {
    pagerDuty.start();
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        dir.resolve("rules/errors.yaml"),
        """
        rules:
          - {name: checkout-errors, select: {service: checkout}, window: 2s,
             when: error_rate > 50%, severity: critical}
        """);
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        "server: {host: 127.0.0.1, port: 0}\n"
            + "data_dir: state\nevaluation_interval: 200ms\nrules: [rules]\n"
            + "receivers:\n  pd: {type: pagerduty, routing_key: "
            + "R".repeat(32)
            + ", url: \"http://127.0.0.1:"
            + pagerDuty.port
            + "/v2/enqueue\", initial_backoff: 50ms, max_backoff: 100ms, max_attempts: 1000}\n"
            + "routes: {critical: [pd]}\n");

    // First life: the breach fires; PagerDuty answers 500, so the trigger stays in the outbox.
    RollguardProcess first = RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml");
    String base = "http://127.0.0.1:" + first.port(60);
    assertThat(pushUntil(base, false, pd -> pd.count("trigger", 500) >= 2, 20_000))
        .as("trigger attempts: %s", pagerDuty.log())
        .isTrue();
    first.kill();
    String incident = pagerDuty.got.get(0).getString("dedup_key");
    assertThat(Files.list(dir.resolve("state/outbox"))).isNotEmpty();

    // Second life: PagerDuty is back; the breach goes on for longer than the warm-up.
    pagerDuty.status.set(202);
    try (RollguardProcess second =
        RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml")) {
      base = "http://127.0.0.1:" + second.port(60);
      assertThat(pushUntil(base, false, pd -> pd.count("trigger", 202) >= 1, 20_000))
          .as("delivered after the restart: %s", pagerDuty.log())
          .isTrue();
      pushUntil(base, false, pd -> false, 3_000); // still failing, past the 2 s warm-up
      assertThat(pagerDuty.count("trigger", 202)).as("%s", pagerDuty.log()).isEqualTo(1);
      assertThat(pagerDuty.count("resolve", 202)).isZero();

      // Recovery: the incident from before the kill resolves, once.
      assertThat(pushUntil(base, true, pd -> pd.count("resolve", 202) >= 1, 20_000))
          .as("resolved: %s", pagerDuty.log())
          .isTrue();
      assertThat(pagerDuty.log()).allMatch(line -> line.contains(" " + incident + " "));
      List<String> log = pagerDuty.log();
      assertThat(log.get(log.size() - 1)).isEqualTo("resolve " + incident + " -> 202");

      HttpResponse<String> record =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/incidents/" + incident)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(record.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(record.body()).getString("state")).isEqualTo("resolved");
    }
    assertThat(Files.list(dir.resolve("state/outbox")).filter(p -> p.toString().endsWith(".json")))
        .isEmpty();
  }
}
