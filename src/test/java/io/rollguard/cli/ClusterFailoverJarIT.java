package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode end to end (docs/cluster.md): a real KRaft broker and two real Rollguard processes
 * of the real jar in one consumer group. A service breaches, its rule fires and pages; the node
 * that owns the service's partition is killed with {@code kill -9} mid-incident. The other node
 * takes the partition over, rebuilds the windows from the samples topic and the firing state from
 * the state topic, does not page again while the breach goes on, and resolves the same incident
 * (same {@code dedup_key}) once the service recovers. Every sample the cluster accepted (answered
 * 200) is in the survivor's window: none was lost with the node.
 */
class ClusterFailoverJarIT {

  @TempDir Path dir;

  private final KillRestartJarIT.PagerDuty pagerDuty = new KillRestartJarIT.PagerDuty();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private KafkaBroker broker;
  private long accepted;

  @AfterEach
  void stop() throws Exception {
    pagerDuty.vertx.close().await();
    if (broker != null) {
      broker.close();
    }
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
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getLong("accepted")).isEqualTo(20);
    accepted += 20;
  }

  /** Pushes every 100 ms until {@code done}, for at most {@code millis}. */
  private boolean pushUntil(String base, boolean ok, BooleanSupplier done, long millis)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      push(base, ok);
      if (pagerDuty.await(pd -> done.getAsBoolean(), 100)) {
        return true;
      }
    }
    return false;
  }

  /** The requests of checkout in the node's windows over the last 5 minutes (0: none). */
  private long count(String base) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/query?service=checkout&window=5m"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("results").getJsonObject(0).getLong("count");
  }

  private RollguardProcess node(String name) throws Exception {
    Path home = dir.resolve(name);
    Files.createDirectories(home.resolve("rules"));
    Files.writeString(
        home.resolve("rules/errors.yaml"),
        """
        rules:
          - {name: checkout-errors, select: {service: checkout}, window: 2s,
             when: error_rate > 50%, severity: critical}
        """);
    Files.writeString(
        home.resolve("rollguard.yaml"),
        "server: {host: 127.0.0.1, port: 0}\n"
            + "data_dir: state\nevaluation_interval: 200ms\nrules: [rules]\n"
            + "receivers:\n  pd: {type: pagerduty, routing_key: "
            + "R".repeat(32)
            + ", url: \"http://127.0.0.1:"
            + pagerDuty.port
            + "/v2/enqueue\", initial_backoff: 50ms, max_backoff: 100ms}\n"
            + "routes: {critical: [pd]}\n"
            + "cluster:\n"
            + "  bootstrap_servers: [\""
            + broker.bootstrap()
            + "\"]\n"
            + "  partitions: 4\n  replication_factor: 1\n"
            + "  kafka: {session.timeout.ms: \"3000\", heartbeat.interval.ms: \"500\"}\n");
    return RollguardProcess.start(home, "serve", "--config", "rollguard.yaml");
  }

  @Test
  void killingTheOwnerMidIncidentNeitherPagesTwiceNorLosesTheResolveOrASample() throws Exception {
    pagerDuty.status.set(202);
    pagerDuty.start();
    broker = KafkaBroker.start(dir);
    RollguardProcess a = node("a");
    RollguardProcess b = node("b");
    try {
      String baseA = "http://127.0.0.1:" + a.port(90);
      String baseB = "http://127.0.0.1:" + b.port(90);

      // The breach, pushed through A (any node takes ingest); the owner pages once.
      assertThat(pushUntil(baseA, false, () -> pagerDuty.count("trigger", 202) >= 1, 60_000))
          .as("trigger: %s\nA: %s\nB: %s", pagerDuty.log(), a.stderr(), b.stderr())
          .isTrue();
      String incident = pagerDuty.log().get(0).split(" ")[1];
      // mid-incident, not mid-delivery: the owner records the delivery in its next state write
      // (a node killed between a delivery and that write sends it again, same dedup_key)
      pushUntil(baseA, false, () -> false, 1_500);
      boolean aOwns = count(baseA) > 0;
      assertThat(aOwns ? count(baseB) : count(baseA)).as("one owner").isZero();
      RollguardProcess owner = aOwns ? a : b;
      String survivor = aOwns ? baseB : baseA;

      owner.kill();
      // The breach goes on through the survivor; it takes the partition over (session timeout,
      // then the rebuild) and must not page again: the incident is restored as firing.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (count(survivor) == 0 && System.nanoTime() < deadline) {
        push(survivor, false);
      }
      assertThat(count(survivor))
          .as("the survivor took over: %s", (aOwns ? b : a).stderr())
          .isPositive();
      pushUntil(survivor, false, () -> false, 4_000); // past the 2 s warm-up of the restored rule
      assertThat(pagerDuty.count("trigger", 202))
          .as("%s\nA: %s\nB: %s", pagerDuty.log(), a.stderr(), b.stderr())
          .isEqualTo(1);
      assertThat(pagerDuty.count("resolve", 202)).isZero();
      assertThat(count(survivor)).as("every accepted sample is in a window").isEqualTo(accepted);

      // Recovery: the same incident resolves, from the new owner.
      assertThat(pushUntil(survivor, true, () -> pagerDuty.count("resolve", 202) >= 1, 30_000))
          .as("resolved: %s", pagerDuty.log())
          .isTrue();
      List<String> log = pagerDuty.log();
      assertThat(log).allMatch(line -> line.contains(" " + incident + " "));
      assertThat(log.get(log.size() - 1)).isEqualTo("resolve " + incident + " -> 202");
      assertThat(pagerDuty.count("trigger", 202)).isEqualTo(1);
    } finally {
      a.close();
      b.close();
    }
  }
}
