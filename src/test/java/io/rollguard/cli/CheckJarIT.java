package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollguard check} from the real jar: the shipped examples pass, mistakes are located. */
class CheckJarIT {

  @TempDir Path dir;

  @Test
  void theShippedExampleRulesAreValid() throws Exception {
    Path rules = Path.of("rules").toAbsolutePath();
    try (RollguardProcess check = RollguardProcess.start(dir, "check", rules.toString())) {
      assertThat(check.waitForExit(60)).isZero();
      assertThat(check.stdout())
          .containsPattern(
              "\\d+ rule\\(s\\), \\d+ rollout\\(s\\), \\d+ SLO\\(s\\) in \\d+ file\\(s\\): OK");
    }
  }

  @Test
  void withClusterSettingsCheckSaysWhichRulesAreNotReadyAndServeWithoutABrokerDoesNotRunAlone()
      throws Exception {
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        "cluster: {bootstrap_servers: [localhost:9092]}\nserver: {port: 0}\n");
    Files.writeString(
        dir.resolve("r.yaml"),
        """
        rules:
          - {name: ok, select: {service: checkout}, when: error_rate > 1%}
          - {name: spread, select: {stage: canary}, when: error_rate > 1%}
        """);
    try (RollguardProcess check =
        RollguardProcess.start(dir, "check", "--config", "rollguard.yaml", "r.yaml")) {
      assertThat(check.waitForExit(60)).isEqualTo(1);
      assertThat(check.stdout())
          .contains("r.yaml:3:5: in cluster mode a rule must select one service")
          .contains("rule 'spread' selects every service")
          .doesNotContain("rule 'ok'");
    }
    // no broker on that port: the node says so and does not run alone
    try (RollguardProcess serve =
        RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml")) {
      assertThat(serve.waitForExit(90)).isEqualTo(1);
      assertThat(serve.stderr()).contains("cannot start: cluster: cannot create topic");
    }
  }

  @Test
  void everyProblemIsPrintedWithItsPositionAndTheExitCodeFails() throws Exception {
    Files.writeString(
        dir.resolve("bad.yaml"),
        """
        rules:
          - name: a
            when: p95 > 1%
            notify: [pagerduty]
          - name: a
            when: "error_rate > 500ms"
        """);
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        "receivers: {slack: {type: slack, url: http://127.0.0.1:1/x}}\n");
    try (RollguardProcess check =
        RollguardProcess.start(dir, "check", "--config", "rollguard.yaml", "bad.yaml")) {
      assertThat(check.waitForExit(60)).isEqualTo(1);
      assertThat(check.stdout())
          .contains("bad.yaml:3:15: cannot compare a duration (p95) with a ratio (1%)")
          .contains("bad.yaml:4:13: unknown receiver 'pagerduty' (configured: slack)")
          .contains("bad.yaml:5:5: duplicate name 'a' for a rule (also defined at bad.yaml:2:5;")
          .contains("bad.yaml:6:23: cannot compare a ratio (error_rate) with a duration (500ms)")
          .contains("4 problem(s) in 1 file(s)");
    }
  }
}
