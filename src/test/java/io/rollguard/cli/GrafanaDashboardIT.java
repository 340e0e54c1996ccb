package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose stack's Grafana dashboard (docker/grafana/dashboards/rollguard.json) against the real
 * jar and a real Prometheus (Debian package, installed by the test when missing) that runs the
 * stack's own docker/prometheus/prometheus.yml, its target pointed at the jar: every panel query
 * parses, and the panels have data once a rule fires, a rollout rolls back, an SLO burns and a
 * webhook receives the notifications. No Docker: the build machines have no Docker engine.
 */
class GrafanaDashboardIT {

  /** The schemaVersion Grafana 12.2/12.3 write when exporting a dashboard. */
  private static final int CURRENT_GRAFANA_SCHEMA_VERSION = 42;

  private static final Path DOCKER = Path.of("docker");
  private static final Path DASHBOARD = DOCKER.resolve("grafana/dashboards/rollguard.json");
  private static final Path PROMETHEUS_CONFIG = DOCKER.resolve("prometheus/prometheus.yml");

  private static final Set<String> PANEL_TYPES =
      Set.of("timeseries", "stat", "table", "state-timeline");

  /**
   * Panels whose every query must return series in this test's scenario (all of the dashboard's
   * panels: ingest, evaluation, rules, rollouts, SLOs, notifications).
   */
  private static final List<String> MUST_HAVE_DATA =
      List.of(
          "Ingest: accepted and rejected samples",
          "Active series",
          "Rule evaluation time",
          "Ingest request time",
          "Rule files",
          "Scrape target up",
          "Rules by state",
          "Rule values against thresholds",
          "Alert state per rule instance",
          "Rule instances now",
          "Rollout verdict over time",
          "Rollout criteria holding",
          "Rollout criteria values against thresholds",
          "SLO error budget left",
          "SLO attainment",
          "SLO burn rates per window",
          "Notifications by receiver and outcome",
          "Delivery attempts by receiver and result",
          "Notification queue depth",
          "Oldest pending notification",
          "Notification delivery latency");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final AtomicInteger webhooks = new AtomicInteger();

  @Test
  void theDashboardIsInGrafanasCurrentSchema() throws Exception {
    JsonNode dash = JSON.readTree(DASHBOARD.toFile());
    assertThat(dash.path("schemaVersion").asInt())
        .isGreaterThanOrEqualTo(CURRENT_GRAFANA_SCHEMA_VERSION);
    assertThat(dash.path("uid").asText()).isEqualTo("rollguard");
    assertThat(dash.path("title").asText()).isNotBlank();

    JsonNode datasource = null;
    for (JsonNode v : dash.path("templating").path("list")) {
      if ("datasource".equals(v.path("name").asText())) {
        datasource = v;
      }
    }
    assertThat(datasource).as("a datasource variable").isNotNull();
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

    Set<Integer> ids = new HashSet<>();
    Set<String> titles = new HashSet<>();
    List<int[]> boxes = new ArrayList<>();
    for (JsonNode p : dash.path("panels")) {
      String title = p.path("title").asText();
      assertThat(title).as("panel %s has a title", p.path("id")).isNotBlank();
      assertThat(ids.add(p.path("id").asInt(-1))).as("%s: unique id", title).isTrue();
      assertThat(titles.add(title)).as("%s: unique title", title).isTrue();
      JsonNode grid = p.path("gridPos");
      for (String k : List.of("h", "w", "x", "y")) {
        assertThat(grid.path(k).isInt()).as("%s: gridPos.%s", title, k).isTrue();
      }
      int x = grid.path("x").asInt();
      int y = grid.path("y").asInt();
      int w = grid.path("w").asInt();
      int h = grid.path("h").asInt();
      assertThat(x).as("%s: gridPos.x", title).isNotNegative();
      assertThat(w).as("%s: gridPos.w", title).isPositive();
      assertThat(h).as("%s: gridPos.h", title).isPositive();
      assertThat(x + w).as("%s: x + w within the 24 columns", title).isLessThanOrEqualTo(24);
      for (int[] b : boxes) {
        boolean apart = x + w <= b[0] || b[0] + b[2] <= x || y + h <= b[1] || b[1] + b[3] <= y;
        assertThat(apart).as("%s overlaps another panel", title).isTrue();
      }
      boxes.add(new int[] {x, y, w, h});

      if ("row".equals(p.path("type").asText())) {
        assertThat(p.path("targets").size()).as("%s: a row has no queries", title).isZero();
        continue;
      }
      assertThat(p.path("type").asText()).as("%s: type", title).isIn(PANEL_TYPES);
      assertThat(p.path("description").asText()).as("%s: description", title).isNotBlank();
      assertThat(p.path("datasource").path("type").asText())
          .as("%s: datasource", title)
          .isEqualTo("prometheus");
      assertThat(p.path("datasource").path("uid").asText())
          .as("%s: datasource", title)
          .isEqualTo("${datasource}");
      assertThat(p.path("targets").size()).as("%s: queries", title).isPositive();
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("refId").asText()).as("%s: refId", title).isNotBlank();
        assertThat(t.path("expr").asText()).as("%s: expr", title).isNotBlank();
        assertThat(t.path("datasource").path("uid").asText())
            .as("%s: target datasource", title)
            .isEqualTo("${datasource}");
      }
    }
    assertThat(titles).containsAll(MUST_HAVE_DATA);
  }

  @Test
  void promtoolAcceptsTheStackPrometheusConfig() throws Exception {
    Path promtool = DebianPackages.require("promtool", "prometheus");
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "config", PROMETHEUS_CONFIG.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("promtool.log").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finishes").isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("promtool.log"))).isZero();
  }

  @Test
  void theComposeStackPinsItsImagesAndMountsFilesThatExist() throws Exception {
    JsonNode services = YAML.readTree(DOCKER.resolve("compose.yaml").toFile()).path("services");
    assertThat(services.has("rollguard")).isTrue();
    assertThat(services.path("rollguard").path("build").path("dockerfile").asText())
        .isEqualTo("docker/Dockerfile");
    assertThat(services.has("prometheus")).isTrue();
    assertThat(services.has("grafana")).isTrue();
    for (Map.Entry<String, JsonNode> service : services.properties()) {
      if (!service.getValue().has("build")) {
        // a pulled image is pinned to a release: prom/prometheus:v3.5.0, not :latest
        assertThat(service.getValue().path("image").asText())
            .as(service.getKey())
            .matches("[a-z0-9./-]+:v?\\d+\\.\\d+\\.\\d+");
      }
    }
    for (Map.Entry<String, JsonNode> service : services.properties()) {
      for (JsonNode volume : service.getValue().path("volumes")) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith(".")) {
          assertThat(DOCKER.resolve(source)).as("%s mounts %s", service.getKey(), source).exists();
        }
      }
    }
    JsonNode datasources =
        YAML.readTree(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml").toFile());
    assertThat(datasources.path("datasources").get(0).path("uid").asText()).isEqualTo("prometheus");
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void everyPanelQueryRunsOnARealPrometheusAndHasData() throws Exception {
    Path prometheus = DebianPackages.require("prometheus", "prometheus");
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/hook",
        ex -> {
          try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
          }
          webhooks.incrementAndGet();
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    hook.start();
    Files.writeString(
        dir.resolve("rules.yaml"),
        """
        rules:
          - name: checkout-errors
            select: {service: checkout}
            by: [stage]
            window: 30s
            when: error_rate > 10%
            severity: critical
        rollouts:
          - name: checkout
            select: {service: checkout}
            baseline: {stage: stable}
            window: 30s
            stages:
              - {name: canary, traffic: 10%, min_duration: 1m}
              - {name: full, traffic: 100%}
            promote_when:
              - p95 < 200ms
            rollback_when:
              - {when: error_rate > 25%}
              - {when: p95 > 20 * baseline(p95)}
        slos:
          - name: checkout-availability
            select: {service: checkout}
            objective: 99%
            period: 1h
            good: ok and latency < 300ms
            tiers:
              - name: page
                severity: critical
                windows: [{long: 1m, short: 30s, burn_rate: 2}]
        """);
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        """
        server: {host: 127.0.0.1, port: 0}
        data_dir: state
        rules: [rules.yaml]
        receivers:
          hook: {type: webhook, url: "http://127.0.0.1:%d/hook", initial_backoff: 100ms}
        routes:
          critical: [hook]
          warning: [hook]
          info: []
        """
            .formatted(hook.getAddress().getPort()));
    Process prom = null;
    try (RollguardProcess rollguard =
        RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml")) {
      int port = rollguard.port(60);
      String base = "http://127.0.0.1:" + port;

      // the stack's own Prometheus config, pointed at this jar and scraping every second
      String stack = Files.readString(PROMETHEUS_CONFIG);
      assertThat(stack).contains("\"rollguard:8080\"").contains("scrape_interval: 5s");
      String config =
          stack
              .replace("\"rollguard:8080\"", "\"127.0.0.1:" + port + "\"")
              .replace("scrape_interval: 5s", "scrape_interval: 1s")
              .replace("evaluation_interval: 5s", "evaluation_interval: 1s");
      Files.writeString(dir.resolve("prometheus.yml"), config);
      int promPort;
      try (ServerSocket s = new ServerSocket(0)) {
        promPort = s.getLocalPort();
      }
      String promBase = "http://127.0.0.1:" + promPort;
      prom =
          new ProcessBuilder(
                  prometheus.toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + promPort)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();

      // half of the canary's requests fail: the rule fires, the rollout rolls back, the SLO burns
      until(
          () -> {
            push(base);
            return JSON.readTree(get(base + "/api/v1/alerts").body());
          },
          a -> firing(a, "checkout-errors"),
          "checkout-errors fires");
      until(
          () -> {
            push(base);
            return JSON.createObjectNode().put("n", webhooks.get());
          },
          n -> n.path("n").asInt() >= 1,
          "the webhook receives a notification");
      until(
          () -> JSON.readTree(get(promBase + "/api/v1/targets?state=active").body()),
          t -> t.toString().contains("\"health\":\"up\""),
          "Prometheus scrapes the jar",
          t -> t + " (" + log() + ")");

      JsonNode dash = JSON.readTree(DASHBOARD.toFile());
      Map<String, String> vars = templateValues(dash);
      // title -> refId -> the query's result
      Map<String, Map<String, JsonNode>> results =
          until(
              () -> {
                push(base);
                return queryAll(promBase, dash, vars);
              },
              r -> empty(r).isEmpty(),
              "every panel has data",
              r -> empty(r) + " (" + log() + ")");

      assertThat(results.keySet()).containsAll(MUST_HAVE_DATA);
      assertThat(labels(results, "Rule values against thresholds", "A"))
          .anySatisfy(
              m ->
                  assertThat(m)
                      .containsEntry("rule", "checkout-errors")
                      .containsEntry("group", "stage=canary")
                      .containsEntry("severity", "critical"));
      assertThat(labels(results, "Rules by state", "A"))
          .anySatisfy(m -> assertThat(m).containsEntry("state", "2"));
      assertThat(labels(results, "Rollout criteria holding", "A"))
          .extracting(m -> m.get("kind"))
          .contains("promote", "rollback");
      assertThat(labels(results, "Notifications by receiver and outcome", "A"))
          .anySatisfy(
              m ->
                  assertThat(m)
                      .containsEntry("receiver", "hook")
                      .containsEntry("outcome", "delivered"));
      assertThat(labels(results, "SLO burn rates per window", "A"))
          .anySatisfy(m -> assertThat(m).containsEntry("slo", "checkout-availability"));

      // the verdict panel encodes promote 1, hold 2, rollback 3: it reads rollback
      JsonNode verdict =
          until(
              () -> {
                push(base);
                return query(
                    promBase, interpolate(expr(dash, "Rollout verdict over time", "A"), vars));
              },
              r -> r.size() == 1 && "3".equals(r.get(0).path("value").get(1).asText()),
              "the verdict panel shows rollback");
      assertThat(verdict.get(0).path("metric").path("rollout").asText()).isEqualTo("checkout");
    } finally {
      if (prom != null) {
        prom.destroy();
        if (!prom.waitFor(20, TimeUnit.SECONDS)) {
          prom.destroyForcibly();
        }
      }
      hook.stop(0);
    }
  }

  /** One batch per stage: the canary fails half of its requests, the stable version none. */
  private void push(String base) throws Exception {
    for (String body :
        List.of(
            "{\"service\":\"checkout\",\"labels\":{\"stage\":\"canary\"},\"requests\":"
                + "[{\"latency_ms\":120,\"ok\":true},{\"latency_ms\":900,\"ok\":false}]}",
            "{\"service\":\"checkout\",\"labels\":{\"stage\":\"stable\"},\"requests\":"
                + "[{\"latency_ms\":100,\"ok\":true},{\"latency_ms\":110,\"ok\":true}]}")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/ingest"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  /** Runs every panel's every query; each must parse (status success). */
  private Map<String, Map<String, JsonNode>> queryAll(
      String promBase, JsonNode dash, Map<String, String> vars) throws Exception {
    Map<String, Map<String, JsonNode>> out = new LinkedHashMap<>();
    for (JsonNode p : dash.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        String expr = interpolate(t.path("expr").asText(), vars);
        out.computeIfAbsent(p.path("title").asText(), k -> new LinkedHashMap<>())
            .put(t.path("refId").asText(), query(promBase, expr));
      }
    }
    return out;
  }

  /** The result of an instant query, after asserting Prometheus parsed and ran it. */
  private JsonNode query(String promBase, String expr) throws Exception {
    HttpResponse<String> r =
        get(promBase + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as("%s: %s", expr, r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).as("%s: %s", expr, r.body()).isEqualTo("success");
    return body.path("data").path("result");
  }

  /** "title/refId" of every query of a MUST_HAVE_DATA panel that returned no series. */
  private static List<String> empty(Map<String, Map<String, JsonNode>> results) {
    List<String> missing = new ArrayList<>();
    for (String title : MUST_HAVE_DATA) {
      Map<String, JsonNode> byRef = results.get(title);
      if (byRef == null) {
        missing.add(title + " (no such panel)");
        continue;
      }
      byRef.forEach(
          (ref, result) -> {
            if (result.isEmpty()) {
              missing.add(title + "/" + ref);
            }
          });
    }
    return missing;
  }

  private static List<Map<String, String>> labels(
      Map<String, Map<String, JsonNode>> results, String title, String ref) {
    List<Map<String, String>> out = new ArrayList<>();
    for (JsonNode series : results.get(title).get(ref)) {
      Map<String, String> m = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> label : series.path("metric").properties()) {
        m.put(label.getKey(), label.getValue().asText());
      }
      out.add(m);
    }
    return out;
  }

  private static String expr(JsonNode dash, String title, String ref) {
    for (JsonNode p : dash.path("panels")) {
      if (title.equals(p.path("title").asText())) {
        for (JsonNode t : p.path("targets")) {
          if (ref.equals(t.path("refId").asText())) {
            return t.path("expr").asText();
          }
        }
      }
    }
    throw new AssertionError("no query " + title + "/" + ref);
  }

  /** What Grafana puts in place of each template variable with "All" selected. */
  private static Map<String, String> templateValues(JsonNode dash) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (JsonNode v : dash.path("templating").path("list")) {
      if ("datasource".equals(v.path("type").asText())) {
        continue;
      }
      String value =
          v.hasNonNull("allValue")
              ? v.path("allValue").asText()
              : v.path("current").path("value").asText();
      vars.put(v.path("name").asText(), value);
    }
    return vars;
  }

  /** Grafana's interpolation: global interval variables, then the dashboard's own. */
  private static String interpolate(String expr, Map<String, String> vars) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("__rate_interval", "1m");
    all.put("__interval", "15s");
    all.put("__range", "5m");
    all.putAll(vars);
    String out = expr;
    for (Map.Entry<String, String> v : all.entrySet()) {
      String name = Pattern.quote(v.getKey());
      out =
          out.replaceAll(
              "\\$\\{" + name + "(?::[a-z]+)?\\}|\\$" + name + "\\b|\\[\\[" + name + "\\]\\]",
              Matcher.quoteReplacement(v.getValue()));
    }
    assertThat(out).as("every variable of %s is known", expr).doesNotContain("$");
    return out;
  }

  private static boolean firing(JsonNode alerts, String rule) {
    for (JsonNode a : alerts.path("alerts")) {
      if (rule.equals(a.path("rule").asText()) && "firing".equals(a.path("state").asText())) {
        return true;
      }
    }
    return false;
  }

  private String log() {
    try {
      String text = Files.readString(dir.resolve("prometheus.log"));
      return text.length() > 2_000 ? text.substring(text.length() - 2_000) : text;
    } catch (IOException e) {
      return "no prometheus.log";
    }
  }

  /** GET; throws (an IOException) while nothing listens yet. */
  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @FunctionalInterface
  private interface Probe<T> {
    T get() throws Exception;
  }

  private static <T> T until(Probe<T> probe, Predicate<T> done, String what) throws Exception {
    return until(probe, done, what, String::valueOf);
  }

  /** Polls {@code probe} every 200 ms until {@code done}, for at most 90 s. */
  private static <T> T until(
      Probe<T> probe, Predicate<T> done, String what, Function<T, String> show) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    T last = null;
    Exception error = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.get();
        error = null;
        if (done.test(last)) {
          return last;
        }
      } catch (IOException e) {
        error = e; // Prometheus not listening yet
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    throw new AssertionError(
        "timed out waiting until "
            + what
            + "; last: "
            + (last == null ? null : show.apply(last))
            + (error == null ? "" : "; " + error));
  }
}
