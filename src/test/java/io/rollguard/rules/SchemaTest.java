package io.rollguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schemas shipped in {@code schema/} (for editors) agree with the files we ship: every
 * rule file in {@code rules/} and the example {@code rollguard.yaml} validate, and mistakes the
 * loader refuses are refused by the schema too.
 */
class SchemaTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

  private static JsonSchema schema(String name) throws Exception {
    return FACTORY.getSchema(Files.readString(Path.of("schema", name)));
  }

  private static Set<ValidationMessage> validate(String schema, String yaml) throws Exception {
    JsonNode node = YAML.readTree(yaml);
    return schema(schema).validate(node);
  }

  @Test
  void everyShippedRuleFileValidates() throws Exception {
    List<Path> files = RuleFiles.find(List.of(Path.of("rules")));
    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    for (Path file : files) {
      assertThat(validate("rules.schema.json", Files.readString(file)))
          .as(file.toString())
          .isEmpty();
    }
  }

  @Test
  void theExampleConfigValidates() throws Exception {
    assertThat(
            validate(
                "rollguard.schema.json", Files.readString(Path.of("rules/tests/rollguard.yaml"))))
        .isEmpty();
    for (String config : List.of("docker/rollguard.yaml", "docker/cluster/rollguard.yaml")) {
      assertThat(validate("rollguard.schema.json", Files.readString(Path.of(config))))
          .as(config)
          .isEmpty();
    }
    for (Path file : RuleFiles.find(List.of(Path.of("docker/cluster/rules")))) {
      assertThat(validate("rules.schema.json", Files.readString(file)))
          .as(file.toString())
          .isEmpty();
    }
  }

  @Test
  void mistakesTheLoaderRefusesAreRefusedByTheSchema() throws Exception {
    assertThat(
            validate(
                "rules.schema.json",
                """
                rules:
                  - {name: a, when: p95 > 1s, windw: 5m}
                  - {name: b, when: p95 > 1s, for: five minutes}
                  - {name: c, when: p95 > 1s, severity: urgent}
                rollouts:
                  - {name: r, stages: [{name: canary, traffic: lots}]}
                slos:
                  - {name: s, objective: 99.9%, good: ok or latency < 1s}
                """))
        .extracting(ValidationMessage::getInstanceLocation)
        .extracting(Object::toString)
        .contains(
            "$.rules[0]",
            "$.rules[1].for",
            "$.rules[2].severity",
            "$.rollouts[0].stages[0].traffic",
            "$.slos[0].good");
    assertThat(
            validate(
                "rollguard.schema.json",
                "receivers: {pd: {type: pager}}\nroutes: {urgent: [pd]}\n"
                    + "cluster: {bootstrap_servers: [kafka], advertise: 'http://a', replicas: 3}\n"))
        .extracting(m -> m.getInstanceLocation().toString())
        .contains(
            "$.receivers.pd.type",
            "$.routes",
            "$.cluster.bootstrap_servers",
            "$.cluster.advertise",
            "$.cluster");
  }
}
