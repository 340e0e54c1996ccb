package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollguard test} from the real jar: the shipped tests pass; a wrong one fails clearly. */
class RuleTestJarIT {

  @TempDir Path dir;

  @Test
  void theShippedRuleTestsPass() throws Exception {
    Path tests = Path.of("rules", "tests").toAbsolutePath();
    try (RollguardProcess run = RollguardProcess.start(dir, "test", tests.toString())) {
      assertThat(run.waitForExit(120)).isZero();
      assertThat(run.stdout())
          .contains("  PASS  a canary 2.5x slower than its baseline is rolled back once")
          .contains(
              "  PASS  a healthy canary is promoted once shown within the margins and the stage is"
                  + " 10 minutes old")
          .contains("  PASS  a canary half as slow again is rolled back within a minute")
          .contains("5 test(s), all passed")
          .doesNotContain("FAIL");
    }
  }

  @Test
  void aFailingTestPrintsExpectedAgainstGotWithTheTimeAndFailsTheExitCode() throws Exception {
    Files.writeString(
        dir.resolve("rules.yaml"),
        """
        rules:
          - name: slow
            select: {service: api}
            window: 10s
            when: p95 > 500ms
            for: 30s
        """);
    Path test = dir.resolve("slow_test.yaml");
    Files.writeString(
        test,
        """
        rule_files: [rules.yaml]
        tests:
          - name: fires after 30 seconds
            series:
              - labels: {service: api}
                latency: 100ms x 10 then 900ms x 60
            expect:
              - at: 20s
                alerts: [{rule: slow, state: firing}]
              - at: 50s
                alerts: [{rule: slow, state: firing}]
                notifications: [{receiver: console, event: firing}]
          - name: passes
            series:
              - labels: {service: api}
                latency: 100ms x 30
            expect:
              - {at: 30s, alerts: [{rule: slow, state: inactive}]}
        """);
    try (RollguardProcess run = RollguardProcess.start(dir, "test", test.toString())) {
      assertThat(run.waitForExit(60)).isEqualTo(1);
      assertThat(run.stdout())
          .contains("  FAIL  fires after 30 seconds")
          .contains("at 20s (" + test + ":8:9): alert slow: expected firing, got pending")
          .contains("  PASS  passes")
          .contains("2 test(s), 1 failed")
          .doesNotContain("at 50s");
    }
  }
}
