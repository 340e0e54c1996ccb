package io.rollguard.benchmarks;

import io.rollguard.clock.Clock;
import io.rollguard.config.ConfigLoader;
import io.rollguard.server.RollguardServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Delivery latency, end to end: a real server in-process (system clock, durable outbox on disk) and
 * four healthy receivers on a local Vert.x server (Slack, PagerDuty, a signed webhook and an
 * Alertmanager-format webhook). One incident at a time (a pod's requests start failing), paced so
 * that Slack's 1 message/s limit never holds anything back; for each receiver, the time from the
 * engine's firing decision ({@code fired_at}) to the request arriving. Arguments: incidents
 * measured (100), warm-up incidents before them (10; the very first one is printed on its own).
 */
public final class DeliveryLatency {

  private static final long PACE_MILLIS = 1_100;

  public static void main(String[] args) throws Exception {
    int incidents = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Vertx vertx = Vertx.vertx();
    Map<String, Long> firedAt = new ConcurrentHashMap<>(); // incident -> fired_at (epoch ms)
    Map<String, List<Long>> arrivals = new ConcurrentHashMap<>(); // receiver -> arrival - fired
    Map<String, Map<String, Long>> arrivedAt = new ConcurrentHashMap<>();
    CountDownLatch[] current = {new CountDownLatch(4)};
    String[] firstIncident = {null};
    List<String> warmUpIncidents = Collections.synchronizedList(new ArrayList<>());
    int sinkPort =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              long now = System.currentTimeMillis();
                              String receiver = req.path().substring(1);
                              JsonObject o = body.toJsonObject();
                              String incident = incidentOf(receiver, o);
                              if (receiver.equals("hook")) {
                                firedAt.put(
                                    incident,
                                    Instant.parse(o.getString("fired_at")).toEpochMilli());
                              }
                              arrivedAt
                                  .computeIfAbsent(receiver, r -> new ConcurrentHashMap<>())
                                  .put(incident, now);
                              if (firstIncident[0] == null) {
                                firstIncident[0] = incident;
                              }
                              current[0].countDown();
                              req.response()
                                  .setStatusCode(receiver.equals("pd") ? 202 : 200)
                                  .end(receiver.equals("slack") ? "ok" : "");
                            }))
            .listen(0, "127.0.0.1")
            .await()
            .actualPort();

    Path dir = Files.createTempDirectory("rollguard-delivery");
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        dir.resolve("rules/pods.yaml"),
        "rules:\n  - {name: pod-errors, select: {service: shop}, by: [pod], window: 5m,"
            + " when: error_rate > 50%, severity: critical}\n");
    String sink = "http://127.0.0.1:" + sinkPort;
    var config =
        ConfigLoader.parse(
            "delivery.yaml",
            "server: {host: 127.0.0.1, port: 0}\ndata_dir: data\nrules: [rules]\n"
                + "evaluation_interval: 200ms\nreceivers:\n"
                + "  slack: {type: slack, url: \""
                + sink
                + "/slack\"}\n  pd: {type: pagerduty, routing_key: "
                + "R".repeat(32)
                + ", url: \""
                + sink
                + "/pd\"}\n  hook: {type: webhook, url: \""
                + sink
                + "/hook\", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}\n"
                + "  am: {type: webhook, format: alertmanager, url: \""
                + sink
                + "/am\"}\nroutes: {critical: [slack, pd, hook, am]}\n",
            dir,
            name -> null);
    RollguardServer server =
        RollguardServer.start(config, Clock.system())
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    HttpClient http = HttpClient.newHttpClient();
    URI ingest = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/ingest");

    for (int i = 0; i < warmUp + incidents; i++) {
      long started = System.nanoTime();
      current[0] = new CountDownLatch(4);
      StringBuilder body =
          new StringBuilder(
              "{\"service\":\"shop\",\"labels\":{\"pod\":\"pod-" + i + "\"},\"requests\":[");
      for (int k = 0; k < 20; k++) {
        body.append(k > 0 ? "," : "").append("{\"latency_ms\":12,\"ok\":false}");
      }
      http.send(
          HttpRequest.newBuilder(ingest)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString()))
              .build(),
          HttpResponse.BodyHandlers.discarding());
      if (!current[0].await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("incident " + i + " did not reach every receiver");
      }
      if (i < warmUp) {
        warmUpIncidents.addAll(firedAt.keySet());
      }
      long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (spent < PACE_MILLIS) {
        // a scheduled wake-up, not a busy wait: keeps Slack under its 1 message/s
        new CountDownLatch(1).await(PACE_MILLIS - spent, TimeUnit.MILLISECONDS);
      }
    }

    arrivedAt.forEach(
        (receiver, byIncident) ->
            byIncident.forEach(
                (incident, at) -> {
                  if (incident.equals(firstIncident[0])) {
                    System.out.printf(
                        Locale.ROOT,
                        "first incident after start (cold): %s %d ms%n",
                        receiver,
                        at - firedAt.get(incident));
                  }
                  if (!warmUpIncidents.contains(incident)) {
                    arrivals
                        .computeIfAbsent(
                            receiver, r -> Collections.synchronizedList(new ArrayList<>()))
                        .add(at - firedAt.get(incident));
                  }
                }));
    System.out.printf(
        Locale.ROOT,
        "%d incidents after %d warm-up ones, Java %s%n",
        incidents,
        warmUp,
        System.getProperty("java.version"));
    for (var e : new TreeMap<>(arrivals).entrySet()) {
      List<Long> l = new ArrayList<>(e.getValue());
      Collections.sort(l);
      System.out.printf(
          Locale.ROOT,
          "%-6s n=%d p50=%d ms p99=%d ms max=%d ms%n",
          e.getKey(),
          l.size(),
          l.get(l.size() / 2),
          l.get((int) Math.ceil(l.size() * 0.99) - 1),
          l.get(l.size() - 1));
    }
    server.close().await();
    vertx.close().await();
  }

  private static String incidentOf(String receiver, JsonObject o) {
    return switch (receiver) {
      case "pd" -> o.getString("dedup_key");
      case "hook" -> o.getString("incident_id");
      case "am" -> o.getJsonArray("alerts").getJsonObject(0).getString("fingerprint");
      default -> {
        String text =
            o.getJsonArray("blocks")
                .getJsonObject(2)
                .getJsonArray("fields")
                .getJsonObject(3)
                .getString("text");
        yield text.substring(text.indexOf('\n') + 1);
      }
    };
  }
}
