package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.Clock;
import io.rollguard.config.RollguardConfig;
import io.rollguard.ingest.RandomBodies;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile bodies at the real HTTP edge: random and mutated JSON and NDJSON, any content type, gzip
 * that is valid, truncated or garbage. Every request gets an answer within a bound, never a 5xx,
 * and the server stays healthy.
 */
class HttpFuzzTest {

  private static final Set<Integer> ANSWERS = Set.of(200, 400, 401, 403, 408, 413, 415, 429);

  private static Path dataDir;
  private static RollguardServer server;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("rollguard-fuzz");
    RollguardConfig config =
        TestServers.config(dataDir, "limits: {max_body_bytes: 64KiB, body_timeout: 2s}\n");
    server =
        RollguardServer.start(config, Clock.system())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A request body with the headers it comes with. */
  record Request(String contentType, String encoding, byte[] body) {}

  private static final String[] TYPES = {
    "application/json",
    "application/x-ndjson",
    "application/json; charset=utf-8",
    "text/plain",
    "",
    "application/x-protobuf"
  };

  private static final String[] ENCODINGS = {"", "gzip", "gzip-truncated", "gzip-garbage"};

  private static final String[] ODD_BODIES = {
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"service\":\"" + "x".repeat(5_000) + "\",\"latency_ms\":1}",
    "{\"service\":\"f\",\"gauges\":[{\"name\":\"g\",\"value\":1e309}]}",
    "",
  };

  private static Request request(Random r) {
    byte[] body =
        r.nextInt(4) == 0
            ? ODD_BODIES[r.nextInt(ODD_BODIES.length)].getBytes(StandardCharsets.UTF_8)
            : RandomBodies.mutated(r);
    return new Request(
        TYPES[r.nextInt(TYPES.length)], ENCODINGS[r.nextInt(ENCODINGS.length)], body);
  }

  @Test
  void everyBodyGetsAnAnswerThatIsNotA5xx() throws Exception {
    for (long seed = 0; seed < 150; seed++) {
      Request r = request(new Random(seed));
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/ingest"))
              .timeout(Duration.ofSeconds(10))
              .version(seed % 2 == 0 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
              .POST(HttpRequest.BodyPublishers.ofByteArray(encode(r)));
      if (!r.contentType().isEmpty()) {
        b.header("Content-Type", r.contentType());
      }
      if (!r.encoding().isEmpty()) {
        b.header("Content-Encoding", "gzip");
      }
      // every other try over HTTP/2 (h2c upgrade), the others over HTTP/1.1
      HttpResponse<String> answer = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("seed %d: %s", seed, answer.body()).isIn(ANSWERS);
      assertThat(answer.headers().firstValue("Content-Type"))
          .as("seed %d", seed)
          .hasValue("application/json");
    }
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }

  private static byte[] encode(Request r) throws Exception {
    if (r.encoding().isEmpty()) {
      return r.body();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(r.body());
    }
    byte[] gzipped = out.toByteArray();
    return switch (r.encoding()) {
      case "gzip-truncated" -> java.util.Arrays.copyOf(gzipped, Math.max(10, gzipped.length / 2));
      case "gzip-garbage" -> {
        byte[] g = java.util.Arrays.copyOf(gzipped, gzipped.length);
        for (int i = 10; i < g.length; i += 3) {
          g[i] ^= 0x5a;
        }
        yield g;
      }
      default -> gzipped;
    };
  }
}
