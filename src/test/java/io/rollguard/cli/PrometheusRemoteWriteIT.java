package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian package, installed by the test when missing) scrapes a fixture exporter
 * every second and remote-writes to the real jar: counts, error rate, the bucket-bounded quantile
 * and a gauge arrive, and rules fire on them, end to end.
 */
class PrometheusRemoteWriteIT {

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** What the fixture exporter serves; replaced by the test between phases. */
  private volatile String exposition = exposition(new long[] {0, 0, 0, 0}, new long[4], 0.97);

  private final AtomicInteger scrapes = new AtomicInteger();

  private static String exposition(long[] ok, long[] failed, double passRate) {
    String[] le = {"0.1", "0.25", "0.5", "+Inf"};
    StringBuilder b = new StringBuilder("# TYPE http_server_request_duration_seconds histogram\n");
    for (int i = 0; i < 4; i++) {
      b.append("http_server_request_duration_seconds_bucket{code=\"200\",le=\"")
          .append(le[i])
          .append("\"} ")
          .append(ok[i])
          .append('\n');
      b.append("http_server_request_duration_seconds_bucket{code=\"500\",le=\"")
          .append(le[i])
          .append("\"} ")
          .append(failed[i])
          .append('\n');
    }
    b.append("http_server_request_duration_seconds_count{code=\"200\"} ")
        .append(ok[3])
        .append('\n');
    b.append("http_server_request_duration_seconds_sum{code=\"200\"} 1.5\n");
    b.append("# TYPE test_pass_rate gauge\ntest_pass_rate ").append(passRate).append('\n');
    return b.toString();
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aRealPrometheusFeedsFiringRules() throws Exception {
    Path prometheus = DebianPackages.require("prometheus", "prometheus");
    HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    exporter.createContext(
        "/metrics",
        ex -> {
          scrapes.incrementAndGet();
          byte[] body = exposition.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    exporter.start();
    Files.writeString(
        dir.resolve("rules.yaml"),
        """
        rules:
          - name: checkout-slow
            select: {service: checkout}
            window: 5m
            when: p95 > 200ms
          - name: checkout-errors
            select: {service: checkout}
            window: 5m
            when: error_rate > 5%
          - name: tests-failing
            select: {service: checkout}
            window: 5m
            when: gauge("test_pass_rate") < 0.9
        """);
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        "server: {host: 127.0.0.1, port: 0}\ndata_dir: state\nrules: [rules.yaml]\n");
    Process prom = null;
    try (RollguardProcess rollguard =
        RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml")) {
      String base = "http://127.0.0.1:" + rollguard.port(60);
      int promPort;
      try (ServerSocket s = new ServerSocket(0)) {
        promPort = s.getLocalPort();
      }
      Files.writeString(
          dir.resolve("prometheus.yml"),
          """
          global: {scrape_interval: 1s, evaluation_interval: 1s}
          scrape_configs:
            - job_name: checkout
              static_configs: [{targets: ["127.0.0.1:%d"]}]
          remote_write:
            - url: %s/api/v1/write
              queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
          """
              .formatted(exporter.getAddress().getPort(), base));
      prom =
          new ProcessBuilder(
                  prometheus.toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + promPort)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();

      // phase 1: Prometheus scrapes the zero histogram (its starting line) and the gauge
      JsonObject series =
          until(
              () -> get(base + "/api/v1/series?service=checkout"),
              s -> s.encode().contains("test_pass_rate") && scrapes.get() >= 3,
              "the gauge arrives by remote write (" + log() + ")");
      assertThat(series.encode()).contains("\"job\":\"checkout\"").contains("\"instance\"");

      // phase 2: 100 requests with code 200, 10 with code 500; the tests start failing
      exposition = exposition(new long[] {30, 60, 95, 100}, new long[] {0, 0, 10, 10}, 0.85);
      JsonObject q =
          until(
              () ->
                  get(base + "/api/v1/query?service=checkout&window=5m")
                      .getJsonArray("results")
                      .getJsonObject(0),
              r -> r.getLong("count") >= 110,
              "the 110 requests arrive (" + log() + ")");
      // later scrapes repeat the same totals: still exactly 110, never counted twice
      int seen = scrapes.get();
      until(() -> new JsonObject().put("n", scrapes.get()), s -> s.getInteger("n") >= seen + 3, "");
      q =
          get(base + "/api/v1/query?service=checkout&window=5m")
              .getJsonArray("results")
              .getJsonObject(0);
      assertThat(q.getLong("count")).isEqualTo(110);
      assertThat(q.getLong("errors")).isEqualTo(10);
      // rank 105 of 110 falls in (250 ms, 500 ms]: reported at 333 ms, within 33%
      assertThat(q.getDouble("p95")).isBetween(330.0, 337.0);
      assertThat(q.getDouble("quantile_relative_error")).isNull(); // p50 is in the first bucket

      JsonObject alerts =
          until(
              () -> get(base + "/api/v1/alerts"),
              a ->
                  firing(a, "checkout-slow")
                      && firing(a, "checkout-errors")
                      && firing(a, "tests-failing"),
              "the three rules fire");
      assertThat(alerts.getJsonArray("alerts")).hasSize(3);
    } finally {
      if (prom != null) {
        prom.destroy();
        if (!prom.waitFor(20, TimeUnit.SECONDS)) {
          prom.destroyForcibly();
        }
      }
      exporter.stop(0);
    }
  }

  private static boolean firing(JsonObject alerts, String rule) {
    JsonArray list = alerts.getJsonArray("alerts");
    for (int i = 0; i < list.size(); i++) {
      JsonObject a = list.getJsonObject(i);
      if (rule.equals(a.getString("rule")) && "firing".equals(a.getString("state"))) {
        return true;
      }
    }
    return false;
  }

  private String log() {
    try {
      String text = Files.readString(dir.resolve("prometheus.log"));
      return text.length() > 2_000 ? text.substring(text.length() - 2_000) : text;
    } catch (Exception e) {
      return "no prometheus.log";
    }
  }

  private JsonObject get(String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s: %s", url, r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @FunctionalInterface
  private interface Probe {
    JsonObject get() throws Exception;
  }

  /** Polls {@code probe} every 200 ms until {@code done}, for at most 90 s. */
  private static JsonObject until(Probe probe, Predicate<JsonObject> done, String what)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (done.test(last)) {
        return last;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    throw new AssertionError("timed out waiting until " + what + "; last: " + last);
  }
}
