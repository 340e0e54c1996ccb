package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode end to end (docs/cluster.md): a real KRaft broker and real Rollguard processes of
 * the real jar in one consumer group.
 *
 * <p>Failover: a canary breaches, its rule pages and its rollout calls the rollback receiver; the
 * node that owns the service's partition is killed with {@code kill -9} mid-incident. The other
 * node takes the partition over, rebuilds the windows from the samples topic and the firing state
 * from the state topic, pages nobody again and calls the rollback receiver no second time while the
 * breach goes on, and resolves the same incident (same {@code dedup_key}) once the service
 * recovers. Every sample the cluster accepted (answered 200) is in the survivor's window. Reads and
 * the deployer's {@code PUT .../stage} work on either node: the non-owner forwards them.
 *
 * <p>Rebalance and broker restart: a node joins a one-node cluster mid-incident and takes some
 * partitions over without a second page; the broker is killed and restarted: ingest answers 503
 * while it is away, evaluation resumes after, nothing resolves falsely and nothing pages twice.
 */
class ClusterFailoverJarIT {

  @TempDir Path dir;

  private final KillRestartJarIT.PagerDuty pagerDuty = new KillRestartJarIT.PagerDuty();
  private final Receiver rollback = new Receiver();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private KafkaBroker broker;
  private long accepted;

  /** A real HTTP server as the rollback receiver: counts what arrives. */
  static final class Receiver {
    final Vertx vertx = Vertx.vertx();
    private final List<JsonObject> got = new ArrayList<>();
    int port;

    void start() {
      port =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.body()
                          .onSuccess(
                              body -> {
                                synchronized (this) {
                                  got.add(body.toJsonObject());
                                }
                                req.response().setStatusCode(200).end();
                              }))
              .listen(0, "127.0.0.1")
              .await()
              .actualPort();
    }

    synchronized List<JsonObject> got() {
      return List.copyOf(got);
    }
  }

  @AfterEach
  void stop() throws Exception {
    pagerDuty.vertx.close().await();
    rollback.vertx.close().await();
    if (broker != null) {
      broker.close();
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String body, String method) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String body(String service, String stage, boolean ok) {
    StringBuilder sb =
        new StringBuilder("{\"service\":\"" + service + "\",\"labels\":{\"stage\":\"")
            .append(stage)
            .append("\"},\"requests\":[");
    for (int i = 0; i < 20; i++) {
      sb.append(i > 0 ? "," : "").append("{\"latency_ms\":10,\"ok\":").append(ok).append('}');
    }
    return sb.append("]}").toString();
  }

  /** Pushes 20 canary requests ({@code ok} or failing) and 20 good baseline ones per service. */
  private void push(String base, boolean ok, String... services) throws Exception {
    for (String service : services) {
      for (String stage : List.of("canary", "stable")) {
        HttpResponse<String> r =
            post(
                base + "/api/v1/ingest",
                body(service, stage, ok || stage.equals("stable")),
                "POST");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getLong("accepted")).isEqualTo(20);
        accepted += 20;
      }
    }
  }

  /** Pushes every 100 ms until {@code done}, for at most {@code millis}. */
  private boolean pushUntil(
      String base, boolean ok, BooleanSupplier done, long millis, String... services)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      push(base, ok, services);
      if (pagerDuty.await(pd -> done.getAsBoolean(), 100)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code during} (a node starting) while another thread goes on pushing the breach through
   * {@code base} every 100 ms: the windows must not empty meanwhile, or the alerts would resolve.
   */
  private <T> T pushingWhile(String base, String[] services, Callable<T> during) throws Exception {
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> failed =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread pusher =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  push(base, false, services);
                  pagerDuty.await(pd -> false, 100);
                }
              } catch (Throwable e) {
                failed.set(e);
              }
            });
    pusher.start();
    try {
      return during.call();
    } finally {
      stop.set(true);
      pusher.join(30_000);
      if (failed.get() != null) {
        throw new AssertionError("pushing while a node started", failed.get());
      }
    }
  }

  /**
   * The requests of {@code service} over the last 5 minutes as the node it is asked answers it,
   * with the node that answered; -1 when no node answers for it right now (503).
   */
  private long count(String base, String service) throws Exception {
    HttpResponse<String> r = get(base + "/api/v1/query?service=" + service + "&window=5m");
    if (r.statusCode() == 503) {
      return -1;
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("results").getJsonObject(0).getLong("count");
  }

  /** The node that answered a read of {@code path} on {@code base} (null: 503, no owner yet). */
  private String answeredBy(String base, String path) throws Exception {
    HttpResponse<String> r = get(base + path);
    return r.statusCode() == 503 ? null : r.headers().firstValue("X-Rollguard-Node").orElseThrow();
  }

  /** Waits until {@code path} is answered on {@code base}; returns the node that answered. */
  private String awaitAnswer(String base, String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String by;
    while ((by = answeredBy(base, path)) == null && System.nanoTime() < deadline) {
      pagerDuty.await(pd -> false, 100);
    }
    assertThat(by).as("%s%s answered", base, path).isNotNull();
    return by;
  }

  private RollguardProcess node(String name, String rules) throws Exception {
    Path home = dir.resolve(name);
    Files.createDirectories(home.resolve("rules"));
    Files.writeString(home.resolve("rules/checkout.yaml"), rules);
    Files.writeString(
        home.resolve("rollguard.yaml"),
        "server: {host: 127.0.0.1, port: 0}\n"
            + "data_dir: state\nevaluation_interval: 200ms\nrules: [rules]\n"
            + "receivers:\n  pd: {type: pagerduty, routing_key: "
            + "R".repeat(32)
            + ", url: \"http://127.0.0.1:"
            + pagerDuty.port
            + "/v2/enqueue\", initial_backoff: 50ms, max_backoff: 100ms}\n"
            + "  rb: {type: webhook, rollback: true, url: \"http://127.0.0.1:"
            + rollback.port
            + "/rollback\", initial_backoff: 50ms, max_backoff: 100ms}\n"
            + "routes: {critical: [pd]}\n"
            + "cluster:\n"
            + "  bootstrap_servers: [\""
            + broker.bootstrap()
            + "\"]\n"
            + "  partitions: 4\n  replication_factor: 1\n  produce_timeout: 1s\n"
            + "  kafka: {session.timeout.ms: \"3000\", heartbeat.interval.ms: \"500\"}\n");
    return RollguardProcess.start(home, "serve", "--config", "rollguard.yaml");
  }

  private static final String CHECKOUT =
      """
      rules:
        - {name: checkout-errors, select: {service: checkout, stage: canary}, window: 2s,
           when: error_rate > 50%, severity: critical}
      rollouts:
        - name: checkout
          select: {service: checkout}
          baseline: {stage: stable}
          window: 2s
          min_samples: 10
          stages:
            - {name: canary, traffic: 10%, min_duration: 1s}
            - {name: full, traffic: 100%}
          promote_when: [error_rate < 1%]
          rollback_when:
            - {when: error_rate > 50%, for: 1s}
          notify: [rb]
      """;

  @Test
  void killingTheOwnerMidIncidentNeitherPagesNorRollsBackTwiceNorLosesTheResolveOrASample()
      throws Exception {
    pagerDuty.status.set(202);
    pagerDuty.start();
    rollback.start();
    broker = KafkaBroker.start(dir);
    RollguardProcess a = node("a", CHECKOUT);
    RollguardProcess b = node("b", CHECKOUT);
    try {
      int portA = a.port(90);
      String baseA = "http://127.0.0.1:" + portA;
      String baseB = "http://127.0.0.1:" + b.port(90);

      // Either node answers for the rollout: the owner itself, the other by forwarding.
      String ownerNode = awaitAnswer(baseA, "/api/v1/rollouts/checkout");
      assertThat(awaitAnswer(baseB, "/api/v1/rollouts/checkout")).isEqualTo(ownerNode);
      boolean aOwns = ownerNode.endsWith("-" + portA);
      RollguardProcess owner = aOwns ? a : b;
      String ownerBase = aOwns ? baseA : baseB;
      String other = aOwns ? baseB : baseA;

      // The deployer's stage change reaches the owner through the other node.
      HttpResponse<String> set =
          post(other + "/api/v1/rollouts/checkout/stage", "{\"stage\":\"canary\"}", "PUT");
      assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
      assertThat(set.headers().firstValue("X-Rollguard-Node")).hasValue(ownerNode);
      JsonObject atOwner = new JsonObject(get(ownerBase + "/api/v1/rollouts/checkout").body());
      assertThat(atOwner.getJsonObject("stage").getBoolean("set_by_deployer")).isTrue();

      // The breach, pushed through the other node (any node takes ingest): one page, one rollback.
      assertThat(
              pushUntil(
                  other,
                  false,
                  () -> pagerDuty.count("trigger", 202) >= 1 && !rollback.got().isEmpty(),
                  60_000,
                  "checkout"))
          .as(
              "trigger: %s %s\nA: %s\nB: %s",
              pagerDuty.log(), rollback.got(), a.stderr(), b.stderr())
          .isTrue();
      String incident = pagerDuty.log().get(0).split(" ")[1];

      // Reads for the whole cluster from either node.
      for (String base : List.of(baseA, baseB)) {
        JsonObject alerts = new JsonObject(get(base + "/api/v1/alerts").body());
        assertThat(alerts.getJsonArray("partial")).as(base).isEmpty();
        assertThat(alerts.getJsonArray("alerts")).hasSize(1);
        JsonObject alert = alerts.getJsonArray("alerts").getJsonObject(0);
        assertThat(alert.getString("rule")).isEqualTo("checkout-errors");
        assertThat(alert.getString("state")).isEqualTo("firing");
        assertThat(alert.getString("incident_id")).isEqualTo(incident);
        JsonObject rollouts = new JsonObject(get(base + "/api/v1/rollouts").body());
        assertThat(rollouts.getJsonArray("rollouts").getJsonObject(0).getString("verdict"))
            .isEqualTo("rollback");
        assertThat(new JsonObject(get(base + "/api/v1/incidents").body()).encode())
            .contains(incident);
        assertThat(count(base, "checkout")).isEqualTo(count(ownerBase, "checkout"));
      }
      // What one node would refuse, the cluster refuses the same way (not a 500), and a query over
      // every service says why it needs one service or a grouping by it.
      assertThat(get(other + "/api/v1/series?limit=many").statusCode()).isEqualTo(400);
      HttpResponse<String> unkeyed = get(other + "/api/v1/query?window=5m");
      assertThat(unkeyed.statusCode()).isEqualTo(400);
      assertThat(unkeyed.body()).contains("names one service");
      assertThat(get(other + "/api/v1/query?window=5m&by=service").body()).contains("\"checkout\"");
      JsonObject cluster = new JsonObject(get(other + "/api/v1/cluster").body());
      assertThat(cluster.getJsonArray("partial")).isEmpty();
      assertThat(cluster.getJsonArray("members")).hasSize(2);
      assertThat(cluster.getBoolean("reading")).isTrue();
      // mid-incident, not mid-delivery: the owner records the delivery in its next state write
      // (a node killed between a delivery and that write sends it again, same dedup_key)
      pushUntil(other, false, () -> false, 1_500, "checkout");

      owner.kill();
      // Until the group notices, the dead node still holds the partition: a list read says whose
      // part is missing instead of leaving it out silently.
      JsonObject meanwhile = new JsonObject(get(other + "/api/v1/alerts").body());
      assertThat(meanwhile.getJsonArray("partial").encode()).contains(ownerNode);
      assertThat(meanwhile.getJsonArray("alerts")).isEmpty();
      // The breach goes on through the survivor; it takes the partition over (session timeout,
      // then the rebuild) and must not page again: the incident is restored as firing.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (count(other, "checkout") <= 0 && System.nanoTime() < deadline) {
        push(other, false, "checkout");
      }
      assertThat(count(other, "checkout"))
          .as("the survivor took over: %s", (aOwns ? b : a).stderr())
          .isPositive();
      pushUntil(other, false, () -> false, 4_000, "checkout"); // past the restored rule's warm-up
      assertThat(pagerDuty.count("trigger", 202))
          .as("%s\nA: %s\nB: %s", pagerDuty.log(), a.stderr(), b.stderr())
          .isEqualTo(1);
      assertThat(pagerDuty.count("resolve", 202)).isZero();
      assertThat(rollback.got()).as("the rollback receiver is called once").hasSize(1);
      assertThat(count(other, "checkout"))
          .as("every accepted sample is in a window")
          .isEqualTo(accepted);
      JsonObject restored = new JsonObject(get(other + "/api/v1/rollouts/checkout").body());
      assertThat(restored.getString("verdict")).isEqualTo("rollback");
      assertThat(restored.getJsonObject("stage").getBoolean("set_by_deployer")).isTrue();

      // Recovery: the same incident resolves, from the new owner.
      assertThat(
              pushUntil(
                  other, true, () -> pagerDuty.count("resolve", 202) >= 1, 30_000, "checkout"))
          .as("resolved: %s", pagerDuty.log())
          .isTrue();
      List<String> log = pagerDuty.log();
      assertThat(log).allMatch(line -> line.contains(" " + incident + " "));
      assertThat(log.get(log.size() - 1)).isEqualTo("resolve " + incident + " -> 202");
      assertThat(pagerDuty.count("trigger", 202)).isEqualTo(1);
      assertThat(rollback.got()).hasSize(1);
    } finally {
      a.close();
      b.close();
    }
  }

  /** One service name per partition of 4 (the key's partition, as Kafka's partitioner finds it). */
  private static List<String> servicePerPartition() {
    Map<Integer, String> byPartition = new TreeMap<>();
    for (int i = 0; byPartition.size() < 4; i++) {
      String s = "svc" + i;
      byPartition.putIfAbsent(
          Utils.toPositive(Utils.murmur2(s.getBytes(StandardCharsets.UTF_8))) % 4, s);
    }
    return List.copyOf(byPartition.values());
  }

  private static double owned(HttpResponse<String> metrics) {
    return metrics
        .body()
        .lines()
        .filter(l -> l.startsWith("rollguard_cluster_partitions_owned"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }

  @Test
  void aJoiningNodeAndABrokerRestartNeitherPageTwiceNorResolveFalsely() throws Exception {
    pagerDuty.status.set(202);
    pagerDuty.start();
    rollback.start();
    broker = KafkaBroker.start(dir);
    String[] services = servicePerPartition().toArray(String[]::new);
    StringBuilder rules = new StringBuilder("rules:\n");
    for (String s : services) {
      rules.append(
          "  - {name: "
              + s
              + "-errors, select: {service: "
              + s
              + ", stage: canary}, window: 4s, when: error_rate > 50%, severity: critical}\n");
    }
    RollguardProcess a = node("a", rules.toString());
    RollguardProcess b = null;
    try {
      String baseA = "http://127.0.0.1:" + a.port(90);
      awaitAnswer(baseA, "/api/v1/query?service=" + services[0]);
      assertThat(
              pushUntil(baseA, false, () -> pagerDuty.count("trigger", 202) >= 4, 60_000, services))
          .as("%s\nA: %s", pagerDuty.log(), a.stderr())
          .isTrue();
      List<String> firstPages = pagerDuty.log();

      // B joins mid-incident: the group moves some of A's partitions to it (cooperatively).
      RollguardProcess joining = node("b", rules.toString());
      b = joining;
      String baseB = "http://127.0.0.1:" + pushingWhile(baseA, services, () -> joining.port(90));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline
          && !(owned(get(baseB + "/metrics")) >= 1
              && owned(get(baseA + "/metrics")) + owned(get(baseB + "/metrics")) == 4)) {
        push(baseA, false, services);
      }
      assertThat(owned(get(baseB + "/metrics")))
          .as("B took partitions: %s", b.stderr())
          .isPositive();
      pushUntil(baseB, false, () -> false, 3_000, services);
      assertThat(pagerDuty.log())
          .as("no second page after the rebalance\nA: %s\nB: %s", a.stderr(), b.stderr())
          .isEqualTo(firstPages);
      JsonObject alerts = new JsonObject(get(baseB + "/api/v1/alerts").body());
      assertThat(alerts.getJsonArray("partial"))
          .as(
              "cluster A %s\nB %s",
              get(baseA + "/api/v1/cluster").body(), get(baseB + "/api/v1/cluster").body())
          .isEmpty();
      JsonArray firing = alerts.getJsonArray("alerts");
      assertThat(firing)
          .hasSize(4)
          .allMatch(o -> ((JsonObject) o).getString("state").equals("firing"));
      for (Object o : firing) {
        String id = ((JsonObject) o).getString("incident_id");
        assertThat(firstPages).anyMatch(line -> line.equals("trigger " + id + " -> 202"));
      }

      // The broker goes away, right after a push: ingest says so (503, retry), and the owners hold
      // their evaluation rather than resolve for lack of data they cannot read.
      push(baseA, false, services);
      broker.kill();
      HttpResponse<String> refused =
          post(baseA + "/api/v1/ingest", body(services[0], "canary", false), "POST");
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      broker.restart();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      int status = 0;
      while (System.nanoTime() < deadline
          && (status =
                  post(baseA + "/api/v1/ingest", body(services[0], "canary", false), "POST")
                      .statusCode())
              != 200) {
        pagerDuty.await(pd -> false, 200);
      }
      assertThat(status).as("ingest after the restart: %s", a.stderr()).isEqualTo(200);
      pushUntil(baseA, false, () -> false, 4_000, services);
      assertThat(pagerDuty.log())
          .as("nothing paged again or resolved: A %s\nB %s", a.stderr(), b.stderr())
          .isEqualTo(firstPages);

      // Recovery: every incident resolves once, with its own dedup_key.
      assertThat(
              pushUntil(baseB, true, () -> pagerDuty.count("resolve", 202) >= 4, 60_000, services))
          .as("resolved: %s\nA %s\nB %s", pagerDuty.log(), a.stderr(), b.stderr())
          .isTrue();
      for (String line : firstPages) {
        String id = line.split(" ")[1];
        assertThat(pagerDuty.log()).contains("resolve " + id + " -> 202");
      }
      assertThat(pagerDuty.count("trigger", 202)).isEqualTo(4);
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }
}
