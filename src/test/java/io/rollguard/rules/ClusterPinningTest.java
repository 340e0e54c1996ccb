package io.rollguard.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.config.ConfigLoader;
import io.rollguard.config.Problems;
import io.rollguard.config.RollguardConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cluster mode's settings and its load check: every definition selects one key label value. */
class ClusterPinningTest {

  private static final String RULES =
      """
      rules:
        - {name: pinned, select: {service: checkout}, when: error_rate > 1%}
        - {name: every-service, select: {stage: canary}, when: error_rate > 1%}
        - {name: some-services, select: {service: "~check.*"}, when: error_rate > 1%}
        - name: moved-baseline
          select: {service: checkout, stage: canary}
          baseline: {service: payments}
          when: p95 > 1.1 * baseline(p95)
      rollouts:
        - name: checkout
          select: {service: checkout}
          baseline: {stage: stable}
          stages: [{name: canary, traffic: 10%}]
          rollback_when: [error_rate > 5%]
      slos:
        - {name: all, select: {}, objective: 99%, good: ok}
      """;

  @Test
  void whatDoesNotPinTheKeyLabelIsALoadErrorAtItsPosition() {
    RuleLoader.Result loaded =
        RuleLoader.load(
            List.of(new RuleLoader.Source("rules/r.yaml", RULES)), Duration.ofHours(1), null);
    assertThat(loaded.valid()).as(loaded.problems().format()).isTrue();
    Problems problems = new Problems();
    ClusterPinning.check(loaded, "service", problems);
    assertThat(problems.format())
        .contains(
            "rules/r.yaml:3:5: in cluster mode a rule must select one service (select: {service:"
                + " ...}) so that one node sees all its series; rule 'every-service' selects every"
                + " service. Write one per service.")
        .contains("rules/r.yaml:4:5: in cluster mode a rule must select one service")
        .contains("rule 'some-services' selects service: '~check.*'")
        .contains(
            "in cluster mode a baseline must be in the same service as what it is compared with"
                + " (one node sees both); rule 'moved-baseline' compares service=checkout with"
                + " service=payments")
        .contains("SLO 'all' selects every service")
        .doesNotContain("'pinned'")
        .doesNotContain("rollout 'checkout'");
    assertThat(problems.size()).isEqualTo(4);
  }

  @Test
  void theClusterSectionIsReadAndCheckedLikeEveryOtherKey() throws Exception {
    RollguardConfig c =
        ConfigLoader.parse(
            "rollguard.yaml",
            """
            cluster:
              bootstrap_servers: [kafka-1:9092, "[::1]:9093"]
              key_label: team
              advertise: rollguard-2.internal:8080
              kafka: {security.protocol: SASL_SSL, sasl.jaas.config: "${JAAS}"}
            """,
            Path.of("."),
            Map.of(
                    "JAAS",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"u\" password=\"hunter2\";")
                ::get);
    RollguardConfig.Cluster cluster = c.cluster();
    assertThat(cluster.group()).isEqualTo("rollguard");
    assertThat(cluster.keyLabel()).isEqualTo("team");
    assertThat(cluster.partitions()).isEqualTo(24);
    assertThat(cluster.advertise()).isEqualTo("rollguard-2.internal:8080");
    assertThat(cluster.topics()).containsEntry("samples", "rollguard.samples");
    assertThat(cluster.kafka()).containsKey("sasl.jaas.config");
    assertThat(cluster.toString()).doesNotContain("hunter2").contains("sasl.jaas.config");
    assertThat(RollguardConfig.defaults().cluster()).isNull();

    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "rollguard.yaml",
                    """
                    cluster:
                      bootstrap_servers: kafka-1
                      key_label: "not a label"
                      partitions: 0
                      topics: {samples: "bad topic", state: s, outbox: s}
                      kafka: {acks: "1"}
                      advertise: "http://node-1"
                      replicas: 3
                    """,
                    Path.of("."),
                    n -> null))
        .hasMessageContaining(
            "rollguard.yaml:2:22: cluster: bootstrap server 'kafka-1' must look like host:port")
        .hasMessageContaining("cluster: key_label 'not a label' is no label name")
        .hasMessageContaining("'partitions'")
        .hasMessageContaining("topic name 'bad topic' is not a Kafka topic name")
        .hasMessageContaining("cluster: the four topics need four different names")
        .hasMessageContaining("cluster: 'acks' is set by Rollguard")
        .hasMessageContaining(
            "rollguard.yaml:7:14: cluster: advertise 'http://node-1' must look like host:port")
        .hasMessageContaining("rollguard.yaml:8:3: unknown key 'replicas'");
  }
}
