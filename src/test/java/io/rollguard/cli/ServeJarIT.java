package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar: start it, ingest over HTTP, query it back, stop it. */
class ServeJarIT {

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void theJarServesIngestQueryAndMetrics() throws Exception {
    Files.writeString(
        dir.resolve("rollguard.yaml"), "server: {host: 127.0.0.1, port: 0}\ndata_dir: state\n");
    try (RollguardProcess rollguard =
        RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml")) {
      String base = "http://127.0.0.1:" + rollguard.port(60);

      HttpResponse<String> ingest =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/ingest"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"service\":\"checkout\",\"labels\":{\"stage\":\"canary\"},"
                              + "\"requests\":[{\"latency_ms\":100},{\"latency_ms\":200,\"ok\":false},{\"latency_ms\":300}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ingest.statusCode()).isEqualTo(200);
      assertThat(ingest.body()).contains("\"accepted\":3");

      HttpResponse<String> query =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/query?service=checkout&window=5m"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(query.statusCode()).isEqualTo(200);
      assertThat(query.body()).contains("\"count\":3").contains("\"errors\":1");

      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body())
          .contains("rollguard_ingest_samples_total{kind=\"requests\"} 3.0")
          .contains("jvm_memory_used_bytes");

      assertThat(Files.isDirectory(dir.resolve("state"))).isTrue();
    }
  }

  @Test
  void aBadConfigStopsStartUpWithEveryProblemAndItsPosition() throws Exception {
    Files.writeString(dir.resolve("rollguard.yaml"), "server:\n  port: many\nlimitz: {}\n");
    try (RollguardProcess rollguard =
        RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml")) {
      assertThat(rollguard.waitForExit(60)).isEqualTo(2);
      assertThat(rollguard.stderr())
          .contains("rollguard.yaml:2:9: 'port' must be a whole number, got 'many'")
          .contains("rollguard.yaml:3:1: unknown key 'limitz'");
    }
  }
}
