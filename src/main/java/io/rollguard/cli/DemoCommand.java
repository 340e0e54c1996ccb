package io.rollguard.cli;

import io.rollguard.clock.Clock;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.RollguardConfig;
import io.rollguard.notify.WebhookSigner;
import io.rollguard.server.RollguardServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollguard demo}: a tour with nothing to set up. Starts the server on a free port with a
 * rollout, a rule and two webhook receivers pointing at a local sink; a synthetic service pushes a
 * stable baseline and a canary that degrades after a while. Prints, as it happens, the canary's P95
 * and error rate against the baseline, the alert going pending and firing, the rollback webhook
 * with its verified signature, and the resolve once the canary is rolled back. Ends by itself.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "A one-command tour: a canary breaches, is rolled back, and recovers.")
final class DemoCommand implements java.util.concurrent.Callable<Integer> {

  private static final String SECRET = "whsec_ZGVtby1zZWNyZXQtZm9yLXJvbGxndWFyZC1kZW1v";

  @Option(
      names = "--degrade-after",
      paramLabel = "DURATION",
      description = "when the canary starts to degrade (default: 10s)")
  String degradeAfter = "10s";

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "give up after this long (default: 90s)")
  String timeout = "90s";

  private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();

  @Override
  public Integer call() throws Exception {
    try {
      return tour();
    } catch (DemoProblem | java.util.concurrent.TimeoutException e) {
      System.out.println(
          "\nrollguard demo stopped: "
              + (e.getMessage() == null ? "an API call took more than 30 s" : e.getMessage()));
      return 1;
    }
  }

  private int tour() throws Exception {
    Logger.getLogger("").setLevel(Level.SEVERE); // the tour prints what matters
    long degradeAfterMillis = io.rollguard.config.Durations.parse(degradeAfter).toMillis();
    long timeoutMillis = io.rollguard.config.Durations.parse(timeout).toMillis();
    Path dir = Files.createTempDirectory("rollguard-demo");
    Vertx vertx = Vertx.vertx();
    HttpServer sink = await(sink(vertx));
    Files.writeString(dir.resolve("demo.yaml"), rules());
    RollguardConfig config =
        ConfigLoader.parse(
            "demo.yaml",
            """
            server: {host: 127.0.0.1, port: 0}
            evaluation_interval: 500ms
            data_dir: %s
            rules: [%s]
            receivers:
              deployer: {type: webhook, url: "http://127.0.0.1:%d/rollback", secret: %s, rollback: true}
              team: {type: webhook, url: "http://127.0.0.1:%d/alerts", secret: %s}
            routes:
              critical: [team]
            """
                .formatted(
                    dir.resolve("data"),
                    dir.resolve("demo.yaml"),
                    sink.actualPort(),
                    SECRET,
                    sink.actualPort(),
                    SECRET),
            dir,
            name -> null);
    RollguardServer server = await(RollguardServer.start(config, Clock.system()));
    Api client = new Api(vertx.createHttpClient(), server.port());
    System.out.printf(
        Locale.ROOT,
        "rollguard demo: server on http://127.0.0.1:%d, webhook sink on port %d%n"
            + "  the canary of 'shop' (10%% of traffic) degrades after %s; rollback when its P95 is"
            + " over 1.5x the baseline's three evaluations in a row%n%n",
        server.port(),
        sink.actualPort(),
        degradeAfter);
    boolean fired = false;
    boolean rolledBack = false;
    boolean resolved = false;
    String alertState = "inactive";
    Random random = new Random(1);
    Clock clock = Clock.system();
    long startNanos = clock.monotonicTimeNanos();
    long lastPrint = 0;
    while (!(fired && rolledBack && resolved)
        && (clock.monotonicTimeNanos() - startNanos) / 1_000_000 < timeoutMillis) {
      long elapsed = (clock.monotonicTimeNanos() - startNanos) / 1_000_000;
      boolean degraded = elapsed >= degradeAfterMillis && !rolledBack;
      await(push(client, random, degraded));
      if (elapsed - lastPrint >= 1_000) {
        lastPrint = elapsed;
        JsonObject canary = query(client, "canary");
        JsonObject stable = query(client, "stable");
        JsonObject verdict = await(client.get("/api/v1/rollouts/shop"));
        System.out.printf(
            Locale.ROOT,
            "t+%2ds  canary p95 %6.1f ms, errors %5.1f%%  |  baseline p95 %6.1f ms  |  verdict %s%n",
            elapsed / 1000,
            number(canary, "p95"),
            number(canary, "error_rate") * 100,
            number(stable, "p95"),
            verdict.getString("verdict"));
        String state = alertState(client);
        if (!state.equals(alertState)) {
          System.out.println("        alert shop-canary-latency: " + alertState + " -> " + state);
          alertState = state;
          fired |= state.equals("firing");
        }
      }
      String got;
      while ((got = received.poll()) != null) {
        System.out.println("        " + got);
        rolledBack |= got.startsWith("webhook rollback");
        resolved |= got.startsWith("webhook resolved");
        if (got.startsWith("webhook rollback")) {
          System.out.println("        (the deployer rolls the canary back: it is healthy again)");
        }
      }
      Thread.sleep(200);
    }
    boolean complete = fired && rolledBack && resolved;
    System.out.println(
        complete
            ? "\ndone: the alert fired, the rollback webhook came once and was verified, and the"
                + " alert resolved."
            : "\ngave up after " + timeout + " without seeing the whole story");
    await(server.close());
    await(vertx.close());
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    return complete ? 0 : 1;
  }

  private static String rules() {
    return """
        rules:
          - name: shop-canary-latency
            select: {service: shop, stage: canary}
            window: 5s
            when: p95 > 300ms
            for: 2s
            min_samples: 20
            severity: critical
        rollouts:
          - name: shop
            select: {service: shop}
            baseline: {stage: stable}
            window: 5s
            every: 1s
            min_samples: 20
            stages:
              - {name: canary, traffic: 10%, min_duration: 30s}
              - {name: full, traffic: 100%}
            promote_when: [p95 < 300ms, error_rate < 1%]
            rollback_when:
              - {when: p95 > 1.5 * baseline(p95), consecutive: 3}
              - {when: error_rate > 5%, for: 2s}
            notify: [deployer, team]
        """;
  }

  /** A local webhook receiver that checks the Standard Webhooks signature of what it gets. */
  private Future<HttpServer> sink(Vertx vertx) {
    WebhookSigner signer = WebhookSigner.fromSecret(SECRET);
    return vertx
        .createHttpServer()
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          boolean verified =
                              signer.verify(
                                  req.getHeader("webhook-id"),
                                  Long.parseLong(req.getHeader("webhook-timestamp")),
                                  body.getBytes(),
                                  req.getHeader("webhook-signature"));
                          JsonObject p = body.toJsonObject();
                          JsonObject rollout = p.getJsonObject("rollout");
                          received.add(
                              "webhook "
                                  + p.getString("event")
                                  + " at "
                                  + req.path()
                                  + ": "
                                  + p.getString("rule")
                                  + (rollout == null
                                      ? ""
                                      : " (rollout "
                                          + rollout.getString("name")
                                          + ", stage "
                                          + rollout.getString("stage")
                                          + ")")
                                  + ", signature "
                                  + (verified ? "verified" : "INVALID")
                                  + "; "
                                  + p.getString("reason"));
                          req.response().setStatusCode(204).end();
                        }))
        .listen(0, "127.0.0.1");
  }

  /** 200 ms of traffic: 20 baseline requests around 100 ms, 2 canary ones (10%). */
  private static Future<?> push(Api client, Random random, boolean degraded) {
    StringBuilder sb = new StringBuilder("[");
    sb.append(batch("stable", 20, 100, 0, random)).append(',');
    sb.append(batch("canary", 20, degraded ? 400 : 104, degraded ? 0.08 : 0, random));
    return client.post("/api/v1/ingest", sb.append(']').toString());
  }

  private static String batch(String stage, int n, double latency, double errors, Random random) {
    StringBuilder sb =
        new StringBuilder(
            "{\"service\":\"shop\",\"labels\":{\"stage\":\"" + stage + "\"},\"requests\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? "," : "")
          .append(
              String.format(
                  Locale.ROOT,
                  "{\"latency_ms\":%.1f,\"ok\":%b}",
                  latency * Math.exp(0.15 * random.nextGaussian()),
                  random.nextDouble() >= errors));
    }
    return sb.append("]}").toString();
  }

  private static JsonObject query(Api client, String stage) throws Exception {
    JsonObject answer =
        await(client.get("/api/v1/query?service=shop&stage=" + stage + "&window=5s"));
    var results = answer.getJsonArray("results");
    return results == null || results.isEmpty() ? new JsonObject() : results.getJsonObject(0);
  }

  private static String alertState(Api client) throws Exception {
    var alerts = await(client.get("/api/v1/alerts")).getJsonArray("alerts");
    for (int i = 0; i < alerts.size(); i++) {
      JsonObject a = alerts.getJsonObject(i);
      if (a.getString("rule").equals("shop-canary-latency")) {
        return a.getString("state");
      }
    }
    return "inactive";
  }

  /**
   * The demo's calls to the server's HTTP API. An answer that is not a JSON object fails its future
   * with one line saying which call got what, never a parser's stack trace.
   *
   * <p>The body is asked for inside the callback that sent the request: these calls start on the
   * demo's own thread, and a {@code .compose(send).compose(body)} chain built there can attach its
   * body handler after the body has already arrived (the answer then reads as empty).
   */
  private record Api(HttpClient http, int port) {
    Future<JsonObject> get(String uri) {
      return http.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
          .compose(req -> req.send().compose(res -> json("GET " + uri, res)));
    }

    Future<JsonObject> post(String uri, String json) {
      return http.request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setHost("127.0.0.1")
                  .setPort(port)
                  .setURI(uri)
                  .putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(json).compose(res -> json("POST " + uri, res)));
    }

    private static Future<JsonObject> json(String call, HttpClientResponse res) {
      return res.body()
          .compose(
              body -> {
                String type = res.getHeader("Content-Type");
                if (type == null || !type.startsWith("application/json") || body.length() == 0) {
                  return Future.failedFuture(
                      new DemoProblem(
                          call
                              + " answered HTTP "
                              + res.statusCode()
                              + " with "
                              + (body.length() == 0 ? "no body" : type + " '" + body + "'")));
                }
                try {
                  return Future.succeededFuture(body.toJsonObject());
                } catch (RuntimeException e) {
                  return Future.failedFuture(
                      new DemoProblem(call + " answered HTTP " + res.statusCode() + ": " + body));
                }
              });
    }
  }

  /** Something the demo could not go on with, said in one line. */
  private static final class DemoProblem extends Exception {
    private static final long serialVersionUID = 1L;

    DemoProblem(String message) {
      super(message, null, false, false);
    }
  }

  private static double number(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
