package io.rollguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.Problems;
import io.rollguard.window.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleLoaderTest {

  private static RuleLoader.Result load(Set<String> receivers, String... filesAndTexts) {
    List<RuleLoader.Source> sources = new java.util.ArrayList<>();
    for (int i = 0; i < filesAndTexts.length; i += 2) {
      sources.add(new RuleLoader.Source(filesAndTexts[i], filesAndTexts[i + 1]));
    }
    return RuleLoader.load(sources, Duration.ofHours(1), receivers);
  }

  private static List<String> problems(RuleLoader.Result result) {
    return result.problems().list().stream().map(Problems.Problem::toString).toList();
  }

  @Test
  void everyKeyOfARuleIsRead() {
    RuleLoader.Result result =
        load(
            Set.of("pagerduty", "rollback"),
            "r.yaml",
            """
            rules:
              - name: canary-error-rate
                description: Canary error rate above 1% for 5 minutes
                select: {service: checkout, stage: canary, endpoint: "~/api/.*"}
                by: [version]
                window: 2m
                when: error_rate > 1%
                for: 5m
                consecutive: 3
                every: 10s
                min_samples: 100
                keep_firing_for: 1m
                severity: critical
                notify: [pagerduty, rollback]
                labels: {team: payments}
                annotations: {summary: "{{service}} at {{value}}"}
                baseline: {stage: stable}
            """);
    assertThat(problems(result)).isEmpty();
    Rule rule = result.rules().get(0);
    assertThat(rule.name()).isEqualTo("canary-error-rate");
    assertThat(
            rule.select()
                .matches(
                    Labels.of("service", "checkout", "stage", "canary", "endpoint", "/api/pay")))
        .isTrue();
    assertThat(
            rule.select()
                .matches(
                    Labels.of("service", "checkout", "stage", "canary", "endpoint", "/health")))
        .isFalse();
    assertThat(rule.by()).containsExactly("version");
    assertThat(rule.window()).isEqualTo(Duration.ofMinutes(2));
    assertThat(rule.when().toString()).isEqualTo("error_rate > 1%");
    assertThat(rule.forDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(rule.consecutive()).isEqualTo(3);
    assertThat(rule.every()).isEqualTo(Duration.ofSeconds(10));
    assertThat(rule.minSamples()).isEqualTo(100);
    assertThat(rule.keepFiringFor()).isEqualTo(Duration.ofMinutes(1));
    assertThat(rule.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(rule.receivers()).containsExactly("pagerduty", "rollback");
    assertThat(rule.labels()).containsEntry("team", "payments");
    // The baseline is the rule's selector with baseline: merged over it.
    assertThat(
            rule.baseline()
                .matches(
                    Labels.of("service", "checkout", "stage", "stable", "endpoint", "/api/pay")))
        .isTrue();
    assertThat(
            rule.baseline()
                .matches(
                    Labels.of("service", "checkout", "stage", "canary", "endpoint", "/api/pay")))
        .isFalse();
    assertThat(
            rule.baseline()
                .matches(Labels.of("service", "search", "stage", "stable", "endpoint", "/api/pay")))
        .isFalse();
    assertThat(rule.position().toString()).isEqualTo("r.yaml:2:5");
  }

  @Test
  void defaultsFollowTheSpec() {
    Rule rule = load(null, "r.yaml", "rules:\n  - {name: x, when: p95 > 1s}\n").rules().get(0);
    assertThat(rule.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(rule.forDuration()).isZero();
    assertThat(rule.consecutive()).isEqualTo(1);
    assertThat(rule.every()).isNull();
    assertThat(rule.minSamples()).isEqualTo(1);
    assertThat(rule.severity()).isEqualTo(Severity.WARNING);
    assertThat(rule.select().matches(Labels.of("service", "anything"))).isTrue();
  }

  @Test
  void expressionErrorsPointIntoTheFileQuotedOrNot() {
    RuleLoader.Result result =
        load(
            null,
            "r.yaml",
            """
            rules:
              - name: plain
                when: p95 > 1%
              - name: quoted
                when: "error_rate > 500ms"
              - name: single
                when: 'eror_rate > 1%'
            """);
    assertThat(problems(result))
        .containsExactly(
            "r.yaml:3:15: cannot compare a duration (p95) with a ratio (1%)",
            "r.yaml:5:23: cannot compare a ratio (error_rate) with a duration (500ms)",
            "r.yaml:7:12: unknown name 'eror_rate' (did you mean 'error_rate'?)");
  }

  @Test
  void namesMustBeUniqueAcrossFilesAndReceiversMustExist() {
    RuleLoader.Result result =
        load(
            Set.of("slack"),
            "a.yaml",
            "rules:\n  - {name: dup, when: p95 > 1s, notify: [slack]}\n",
            "b.yaml",
            "rules:\n  - name: dup\n    when: p99 > 1s\n    notify: [pagerduty]\n");
    assertThat(problems(result))
        .containsExactly(
            "b.yaml:2:5: duplicate name 'dup' for a rule (also defined at a.yaml:2:5;"
                + " rules, rollouts and SLOs share one namespace)",
            "b.yaml:4:13: unknown receiver 'pagerduty' (configured: slack)");
  }

  @Test
  void everyOtherMistakeIsReportedAtOnce() {
    RuleLoader.Result result =
        load(
            null,
            "r.yaml",
            """
            rules:
              - name: a
                windw: 1m
                window: 2h
                when: p95 > 1s
                severity: loud
                consecutive: 0
                select: {endpoint: "~(["}
              - when: p95 > baseline(p95)
            """);
    assertThat(problems(result))
        .containsExactly(
            "r.yaml:3:5: unknown key 'windw' (expected one of: name, description, select, by, window, when, for, consecutive, every, min_samples, keep_firing_for, severity, notify, labels, annotations, baseline)",
            "r.yaml:4:13: 'window' must be between 1s and 1h, got 2h",
            "r.yaml:6:15: severity must be critical, warning or info, got 'loud'",
            "r.yaml:7:18: 'consecutive' must be between 1 and 10000, got 0",
            "r.yaml:8:13: label 'endpoint': bad regular expression: Unclosed character class",
            "r.yaml:9:5: missing required key 'name'",
            "r.yaml:9:11: baseline(...) needs the rule's 'baseline:' selector")
        .hasSize(7);
    assertThat(result.valid()).isFalse();
  }

  @Test
  void aliasesAndMergeKeysMeanWhatYamlSays() {
    RuleLoader.Result result =
        load(
            null,
            "r.yaml",
            """
            defaults: &defaults {window: 5m, severity: critical, for: 1m}
            service: &svc checkout
            rules:
              - name: latency
                <<: *defaults
                select: {service: *svc, stage: canary}
                when: p95 > 500ms
              - name: errors
                <<: *defaults
                severity: info
                select: {service: *svc}
                when: error_rate > 1%
            """);
    // 'defaults' and 'service' are not keys a rule file has
    assertThat(problems(result))
        .containsExactly(
            "r.yaml:1:1: unknown key 'defaults' (expected one of: rules, rollouts, slos)",
            "r.yaml:2:1: unknown key 'service' (expected one of: rules, rollouts, slos)");
    result =
        load(
            null,
            "r.yaml",
            """
            rules:
              - &latency
                name: latency
                select: {service: &svc checkout, stage: canary}
                window: 5m
                severity: critical
                when: p95 > 500ms
              - <<: *latency
                name: errors
                select: {service: *svc}
                when: error_rate > 1%
            """);
    assertThat(problems(result)).isEmpty();
    Rule latency = result.rules().get(0);
    Rule errors = result.rules().get(1);
    assertThat(latency.selectSpec()).containsEntry("service", "checkout");
    assertThat(errors.selectSpec()).containsExactly(java.util.Map.entry("service", "checkout"));
    assertThat(errors.window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(errors.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(errors.whenText()).isEqualTo("error_rate > 1%");
  }

  @Test
  void anUnknownAliasOrAnAliasBombIsAProblemWithAPosition() {
    assertThat(
            problems(
                load(
                    null,
                    "r.yaml",
                    """
                    rules:
                      - name: x
                        select: {service: *nowhere}
                        when: p95 > 1s
                    """)))
        .contains("r.yaml:3:23: unknown alias '*nowhere' (no anchor '&nowhere' before it)");
    StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 9; i++) {
      bomb.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        bomb.append(j > 0 ? ", " : "").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    assertThat(problems(load(null, "bomb.yaml", bomb.toString())))
        .singleElement()
        .asString()
        .contains("aliases expand it past 1000000 nodes");
  }

  @Test
  void aRuleFileTooLargeIsRefusedBeforeItIsRead(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path big = dir.resolve("big.yaml");
    java.nio.file.Files.write(big, new byte[100 << 20]);
    java.nio.file.Files.writeString(dir.resolve("ok.yaml"), "rules: []\n");
    RuleLoader.Result result =
        RuleLoader.load(RuleFiles.read(RuleFiles.find(List.of(dir))), Duration.ofHours(1), null);
    assertThat(problems(result))
        .singleElement()
        .asString()
        .startsWith(big + ":1:1: the file is 104857600 bytes; YAML files of at most");
  }
}
