package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  private static RollguardConfig parse(String yaml, Map<String, String> env)
      throws ConfigLoader.InvalidConfigException {
    return ConfigLoader.parse("rollguard.yaml", yaml, Path.of("/etc/rollguard"), env::get);
  }

  @Test
  void anEmptyFileMeansTheDefaults() throws Exception {
    RollguardConfig config = parse("", Map.of());
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.limits().maxBodyBytes()).isEqualTo(8L << 20);
    assertThat(config.limits().maxWindow()).isEqualTo(Duration.ofHours(1));
    assertThat(config.auth().ingestTokens()).isEmpty();
  }

  @Test
  void everySettingIsReadAndPathsResolveAgainstTheFile() throws Exception {
    RollguardConfig config =
        parse(
            """
            server: {host: 127.0.0.1, port: 9000}
            evaluation_interval: 500ms
            data_dir: state
            rules: [rules/, /abs/more.yaml]
            auth:
              ingest_tokens:
                - {token: "${INGEST_TOKEN}", services: [checkout]}
              admin_token: "${ADMIN}"
            limits:
              max_body_bytes: 2MiB
              max_series: 5000
              max_series_per_service: 500
              max_labels: 8
              max_label_value_length: 64
              max_future_skew: 30s
              max_window: 2h
              max_inflight_requests: 64
            receivers:
              slack-deployments: {type: slack, url: "${SLACK_URL}"}
            routes:
              warning: [slack-deployments]
            """,
            Map.of("INGEST_TOKEN", "t0k", "ADMIN", "adm", "SLACK_URL", "https://hooks.example/x"));
    assertThat(config.server().port()).isEqualTo(9000);
    assertThat(config.evaluationInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.dataDir()).isEqualTo(Path.of("/etc/rollguard/state"));
    assertThat(config.rules())
        .containsExactly(Path.of("/etc/rollguard/rules"), Path.of("/abs/more.yaml"));
    assertThat(config.auth().ingestTokens())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.token()).isEqualTo("t0k");
              assertThat(t.allows("checkout")).isTrue();
              assertThat(t.allows("search")).isFalse();
            });
    assertThat(config.limits().maxBodyBytes()).isEqualTo(2L << 20);
    assertThat(config.limits().maxWindow()).isEqualTo(Duration.ofHours(2));
    assertThat(config.limits().maxInflightRequests()).isEqualTo(64);
    assertThat(config.receivers().get("slack-deployments").url())
        .isEqualTo("https://hooks.example/x");
    assertThat(config.routes().get("warning")).containsExactly("slack-deployments");
  }

  @Test
  void everyProblemIsReportedWithFileLineAndColumn() {
    String yaml =
        """
        server:
          prot: 8080
        limits:
          max_series: lots
          max_window: 5 minutes
        evaluation_interval: 0s
        routes:
          critical: [nobody]
        """;
    assertThatThrownBy(() -> parse(yaml, Map.of()))
        .isInstanceOf(ConfigLoader.InvalidConfigException.class)
        .hasMessageContaining(
            "rollguard.yaml:2:3: unknown key 'prot' (expected one of: host, port, idle_timeout, tls)")
        .hasMessageContaining(
            "rollguard.yaml:4:15: 'max_series' must be a whole number, got 'lots'")
        .hasMessageContaining("rollguard.yaml:5:15: 'max_window': bad duration '5 minutes'")
        .hasMessageContaining(
            "rollguard.yaml:6:22: 'evaluation_interval' must be between 100ms and 5m")
        .hasMessageContaining(
            "rollguard.yaml:8:13: route 'critical' names unknown receiver 'nobody'");
  }

  @Test
  void aMissingEnvironmentVariableIsAnErrorAndSecretsStayOutOfToString() throws Exception {
    assertThatThrownBy(() -> parse("auth: {admin_token: \"${NOPE}\"}", Map.of()))
        .hasMessageContaining("rollguard.yaml:1:21: environment variable NOPE is not set");
    RollguardConfig config =
        parse(
            "auth: {admin_token: \"${ADMIN}\", ingest_tokens: [{token: \"${T}\"}]}",
            Map.of("ADMIN", "s3cret-admin", "T", "s3cret-ingest"));
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void yamlSyntaxErrorsSayWhere() {
    assertThatThrownBy(() -> parse("server: {host: [}", Map.of()))
        .hasMessageStartingWith("rollguard.yaml:1:")
        .hasMessageContaining("YAML syntax");
  }

  @Test
  void numbersTooLargeForALongAreProblemsWithAPosition() {
    String yaml =
        """
        limits:
          max_body_bytes: 99999999999999999999
          max_series: 99999999999999999999
          max_window: 99999999999999999999h
          body_min_rate: 9999999999GiB
        """;
    assertThatThrownBy(() -> parse(yaml, Map.of()))
        .isInstanceOf(ConfigLoader.InvalidConfigException.class)
        .hasMessageContaining(
            "rollguard.yaml:2:19: 'max_body_bytes' must be between 1024 and 1073741824 bytes")
        .hasMessageContaining("rollguard.yaml:3:15: 'max_series' must be between 1 and 10000000")
        .hasMessageContaining(
            "rollguard.yaml:4:15: 'max_window': duration '99999999999999999999h' is out of range")
        .hasMessageContaining("rollguard.yaml:5:18: 'body_min_rate' must be between");
  }

  @Test
  void aConfigurationFileTooLargeToBeOneIsRefusedBeforeItIsRead(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("rollguard.yaml");
    java.nio.file.Files.write(file, new byte[YamlReader.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> ConfigLoader.load(file, name -> null))
        .hasMessageContaining(file + ":1:1: the file is " + (YamlReader.MAX_FILE_BYTES + 1));
  }

  @Test
  void durationsReadAndPrintBack() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThatThrownBy(() -> Durations.parse("5 m")).hasMessageContaining("bad duration");
    assertThatThrownBy(() -> Durations.parse("m5")).hasMessageContaining("bad duration");
  }

  @Test
  void receiversGetDefaultsThatKeepWithinTheServicesLimits() throws Exception {
    RollguardConfig config =
        parse(
            """
            external_url: https://rollguard.example/
            receivers:
              slack: {type: slack, url: "https://hooks.slack.com/x"}
              pd: {type: pagerduty, routing_key: "${PD_KEY}", repeat_interval: 1h}
              rollback:
                type: webhook
                url: http://deployer/rollback
                secret: "${SECRET}"
                rollback: true
                fallback: audit
                timeout: 2s
                max_attempts: 5
                max_age: 10m
                initial_backoff: 100ms
                max_backoff: 5s
                rate_limit: 600/m
              audit: {type: webhook, url: http://audit/, format: alertmanager}
            """,
            Map.of("PD_KEY", "k".repeat(32), "SECRET", "whsec_abc"));
    RollguardConfig.Receiver slack = config.receivers().get("slack");
    assertThat(slack.delivery().ratePerSecond()).isEqualTo(1.0);
    assertThat(slack.delivery().maxAttempts()).isEqualTo(20);
    RollguardConfig.Receiver pd = config.receivers().get("pd");
    assertThat(pd.url()).isEqualTo("https://events.pagerduty.com/v2/enqueue");
    assertThat(pd.delivery().ratePerSecond()).isEqualTo(2.0);
    assertThat(pd.repeatInterval()).isEqualTo(Duration.ofHours(1));
    RollguardConfig.Receiver rollback = config.receivers().get("rollback");
    assertThat(rollback.rollback()).isTrue();
    assertThat(rollback.format()).isEqualTo("webhook");
    assertThat(rollback.fallback()).isEqualTo("audit");
    assertThat(rollback.delivery())
        .isEqualTo(
            new RollguardConfig.Delivery(
                Duration.ofSeconds(2),
                5,
                Duration.ofMinutes(10),
                Duration.ofMillis(100),
                Duration.ofSeconds(5),
                10.0,
                30));
    assertThat(config.receivers().get("audit").format()).isEqualTo("alertmanager");
    assertThat(config.linkBase(8080)).isEqualTo("https://rollguard.example");
    assertThat(config.toString()).doesNotContain("whsec_abc").doesNotContain("kkkk");
  }

  @Test
  void receiverMistakesAreReportedWhereTheyAre() {
    String yaml =
        """
        receivers:
          a: {type: slack}
          b: {type: webhook, url: "http://x", format: xml, fallback: c}
          c: {type: webhook, url: "http://y", fallback: b}
          d: {type: pagerduty, routing_key: k, secret: s, rate_limit: fast}
          e: {type: sms, url: "http://z"}
          f: {type: console, fallback: nobody}
        """;
    assertThatThrownBy(() -> parse(yaml, Map.of()))
        .hasMessageContaining("rollguard.yaml:2:6: receiver 'a': type slack needs 'url'")
        .hasMessageContaining(
            "rollguard.yaml:3:47: receiver 'b': unknown format 'xml' (expected webhook or alertmanager)")
        .hasMessageContaining("receiver 'b': fallbacks go round in a circle through 'b'")
        .hasMessageContaining(
            "rollguard.yaml:5:48: receiver 'd': 'secret' is for webhook receivers")
        .hasMessageContaining(
            "receiver 'd': 'rate_limit' must look like 1/s, 120/m or 0 (no limit), got 'fast'")
        .hasMessageContaining(
            "receiver 'e': unknown type 'sms' (expected one of: console, email, pagerduty, slack,"
                + " webhook)")
        .hasMessageContaining(
            "rollguard.yaml:7:32: receiver 'f': fallback names unknown receiver 'nobody'");
  }

  @Test
  void reportsAreReadAndCheckedAgainstTheirReceivers() throws Exception {
    RollguardConfig ok =
        parse(
            """
            receivers:
              mail: {type: email, host: smtp.example.com, from: rg@example.com, to: sre@example.com}
            reports:
              - {name: weekly, schedule: weekly on monday at 09:00, time_zone: Europe/Paris, receivers: mail}
            """,
            Map.of());
    RollguardConfig.Report weekly = ok.reports().get(0);
    assertThat(weekly.span()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(weekly.receivers()).containsExactly("mail");
    assertThat(weekly.schedule().zone()).isEqualTo(java.time.ZoneId.of("Europe/Paris"));
    assertThat(ok.receivers().get("mail").email().port()).isEqualTo(587);

    String yaml =
        """
        receivers:
          pd: {type: pagerduty, routing_key: k}
          am: {type: webhook, url: "http://x", format: alertmanager}
          chat: {type: slack, url: "http://s", fallback: pd}
        reports:
          - {name: c, schedule: daily at 08:00, receivers: [chat]}
          - {name: a, schedule: hourly, receivers: [pd]}
          - {name: a, schedule: daily at 09:00, time_zone: Mars/Olympus, receivers: [am, nobody]}
          - {name: "b c", schedule: daily at 9:00, receivers: [], include: [gossip]}
        """;
    assertThatThrownBy(() -> parse(yaml, Map.of()))
        .hasMessageContaining(
            "rollguard.yaml:7:25: report 'a': schedule must look like 'daily at 09:00' or 'weekly"
                + " on monday at 09:00', got 'hourly'")
        .hasMessageContaining("report 'a': receiver 'pd' cannot take a report (PagerDuty pages")
        .hasMessageContaining("rollguard.yaml:8:12: two reports are named 'a'")
        .hasMessageContaining("unknown time_zone 'Mars/Olympus'")
        .hasMessageContaining("receiver 'am' cannot take a report (format alertmanager")
        .hasMessageContaining("report 'a': unknown receiver 'nobody'")
        .hasMessageContaining("report name 'b c' must be letters, digits")
        .hasMessageContaining("report 'b c': needs 'receivers'")
        .hasMessageContaining("report 'b c': unknown section 'gossip'")
        .hasMessageContaining(
            "report 'c': receiver 'chat' falls back to 'pd', which cannot take a report");
  }
}
