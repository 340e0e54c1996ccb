package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployer's command line ({@code rollguard rollout stage|wait|status}, {@code --version}): the
 * real jar against a real server (the same jar), as a deploy script runs them.
 */
class RolloutCliJarIT {

  private static final String TOKEN = "s3cret-admin-token";

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopPushing() {
    pusher.shutdownNow();
  }

  /** Runs a command of the jar to its end; returns its exit code, stdout in {@code out[0]}. */
  private int run(String[] out, Map<String, String> env, String... args) throws Exception {
    RollguardProcess p = RollguardProcess.start(dir, env, args);
    int code = p.waitForExit(120);
    out[0] = p.stdout() + p.stderr();
    return code;
  }

  private void push(String base, String service, String stage, double latencyMs, boolean ok) {
    StringBuilder sb =
        new StringBuilder(
            "{\"service\":\""
                + service
                + "\",\"labels\":{\"stage\":\""
                + stage
                + "\"},\"requests\":[");
    for (int i = 0; i < 25; i++) {
      sb.append(i > 0 ? "," : "")
          .append("{\"latency_ms\":")
          .append(latencyMs)
          .append(",\"ok\":")
          .append(ok)
          .append('}');
    }
    try {
      http.send(
          HttpRequest.newBuilder(URI.create(base + "/api/v1/ingest"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(sb.append("]}").toString()))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      // the next push tries again
    }
  }

  @Test
  void aDeployScriptSetsTheStageWaitsForTheVerdictAndReadsTheStatus() throws Exception {
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        """
        server: {host: 127.0.0.1, port: 0}
        data_dir: state
        evaluation_interval: 200ms
        auth: {admin_token: "${ADMIN}"}
        rules: [rules]
        """);
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        dir.resolve("rules/rollouts.yaml"),
        """
        rollouts:
          - name: checkout
            select: {service: checkout}
            baseline: {stage: stable}
            window: 3s
            min_samples: 20
            stages:
              - {name: canary, traffic: 10%, min_duration: 1s}
              - {name: gradual, traffic: 50%, min_duration: 1s}
              - {name: full, traffic: 100%}
            promote_when: [p95 < 200ms, error_rate < 1%]
            rollback_when:
              - {when: error_rate > 5%, for: 1s}
          - name: search
            select: {service: search}
            baseline: {stage: stable}
            window: 3s
            min_samples: 20
            stages:
              - {name: canary, traffic: 10%, min_duration: 1s}
              - {name: full, traffic: 100%}
            promote_when: [p95 < 200ms, error_rate < 1%]
            rollback_when:
              - {when: error_rate > 5%, for: 1s}
        """);
    String[] out = new String[1];

    assertThat(run(out, Map.of(), "--version")).isZero();
    assertThat(out[0]).matches("(?s)rollguard \\d+\\.\\d+\\.\\d+\\S* \\(commit [0-9a-f]{7,}.*");

    try (RollguardProcess server =
        RollguardProcess.start(
            dir, Map.of("ADMIN", TOKEN), "serve", "--config", "rollguard.yaml")) {
      String base = "http://127.0.0.1:" + server.port(60);
      Map<String, String> noToken = Map.of("ROLLGUARD_SERVER", base);
      Map<String, String> withToken =
          Map.of("ROLLGUARD_SERVER", base, "ROLLGUARD_ADMIN_TOKEN", TOKEN);

      // status before any traffic: holding for data, exit 0
      assertThat(run(out, noToken, "rollout", "status", "checkout")).isZero();
      assertThat(out[0])
          .startsWith("checkout: HOLD at stage canary (10% traffic, attempt 1); next stage gradual")
          .contains("[no data] p95 < 200ms");

      // setting the stage needs the token, which is never printed
      assertThat(run(out, noToken, "rollout", "stage", "checkout", "gradual")).isEqualTo(4);
      assertThat(out[0]).contains("the admin token is required").doesNotContain(TOKEN);
      assertThat(run(out, withToken, "rollout", "stage", "checkout", "nosuch")).isEqualTo(4);
      assertThat(out[0]).contains("nosuch");
      assertThat(run(out, withToken, "rollout", "stage", "checkout", "gradual")).isZero();
      assertThat(out[0])
          .contains("checkout: stage set to gradual")
          .contains("at stage gradual (50% traffic, attempt 1, set by the deployer)")
          .doesNotContain(TOKEN);
      assertThat(run(out, noToken, "rollout", "status", "checkout", "--json")).isZero();
      assertThat(out[0]).contains("\"name\" : \"gradual\"").contains("\"set_by_deployer\" : true");

      // no traffic: still holding when the timeout passes
      assertThat(run(out, noToken, "rollout", "wait", "checkout", "--timeout", "1s")).isEqualTo(2);
      assertThat(out[0]).contains("no verdict within 1s; still hold");

      // a healthy search canary is promoted; a failing checkout canary is rolled back
      pusher.scheduleAtFixedRate(
          () -> {
            push(base, "search", "stable", 50, true);
            push(base, "search", "canary", 60, true);
            push(base, "checkout", "stable", 50, true);
            push(base, "checkout", "gradual", 60, false);
          },
          0,
          200,
          TimeUnit.MILLISECONDS);
      assertThat(
              run(
                  out,
                  noToken,
                  "rollout",
                  "wait",
                  "search",
                  "--timeout",
                  "60s",
                  "--interval",
                  "200ms"))
          .isZero();
      // promoted once the stage's min_duration has passed with data (maybe before the first read:
      // the changes as they come are RolloutWaiterTest's)
      assertThat(out[0]).contains("search: ").contains("verdict promote: all 2 promotion criteria");
      assertThat(
              run(
                  out,
                  noToken,
                  "rollout",
                  "wait",
                  "checkout",
                  "--timeout",
                  "60s",
                  "--interval",
                  "200ms"))
          .isEqualTo(1);
      assertThat(out[0]).contains("verdict rollback: error_rate > 5%");

      // an unknown rollout is refused; a server that is not there is unreachable
      assertThat(run(out, noToken, "rollout", "status", "nope")).isEqualTo(4);
      assertThat(out[0]).contains("HTTP 404");
      assertThat(
              run(
                  out,
                  Map.of(),
                  "rollout",
                  "wait",
                  "checkout",
                  "--server",
                  "http://127.0.0.1:1",
                  "--timeout",
                  "5s"))
          .isEqualTo(3);
      assertThat(out[0]).contains("http://127.0.0.1:1 is unreachable");
      // bad usage is not mistaken for a verdict: exit 64, never 1 (rollback) or 2 (no verdict)
      assertThat(run(out, noToken, "rollout", "wait")).isEqualTo(64);
      assertThat(run(out, Map.of(), "rollout", "wait", "checkout", "--server", "localhost:8080"))
          .isEqualTo(64);
      assertThat(out[0]).contains("must be an http(s) URL");
      assertThat(run(out, noToken, "rollout", "wait", "checkout", "--timeout", "10min"))
          .isEqualTo(64);
      assertThat(run(out, noToken, "rollout", "stgae", "checkout", "canary")).isEqualTo(64);
    }
  }
}
