package io.rollguard.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads the {@code cluster:} section of {@code rollguard.yaml} (docs/cluster.md): the Kafka
 * bootstrap servers, the consumer group, the key label that partitions the data, the topics and
 * their sizing, the produce timeout, and {@code kafka:} settings handed to the Kafka clients as
 * they are. Absent: single-node mode. Stateless.
 */
final class ClusterSettings {

  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private ClusterSettings() {}

  static RollguardConfig.Cluster read(Fields top, Problems problems, UnaryOperator<String> env) {
    if (top.node("cluster") == null) {
      return null;
    }
    Fields c = top.mapping("cluster");
    List<String> servers = c.strings("bootstrap_servers");
    if (servers.isEmpty()) {
      problems.add(c.position(), "cluster: needs 'bootstrap_servers' (host:port, one or a list)");
    }
    for (String s : servers) {
      if (!HOST_PORT.matcher(s).matches()) {
        problems.add(
            c.node("bootstrap_servers").position(),
            "cluster: bootstrap server '" + s + "' must look like host:port");
      }
    }
    String group = c.string("group", "rollguard");
    String keyLabel = c.string("key_label", "service");
    if (!LABEL.matcher(keyLabel).matches()) {
      problems.add(
          c.node("key_label").position(), "cluster: key_label '" + keyLabel + "' is no label name");
    }
    int partitions = (int) c.integer("partitions", 24, 1, 10_000);
    int replication = (int) c.integer("replication_factor", 3, 1, 32);
    Fields t = c.mapping("topics");
    Map<String, String> topics = new LinkedHashMap<>();
    for (String role : List.of("samples", "state", "outbox", "members")) {
      String name = t.string(role, "rollguard." + role);
      if (!TOPIC.matcher(name).matches() || name.equals(".") || name.equals("..")) {
        problems.add(
            t.has(role) ? t.node(role).position() : t.position(),
            "cluster: topic name '" + name + "' is not a Kafka topic name ([A-Za-z0-9._-]{1,249})");
      }
      topics.put(role, name);
    }
    t.finish();
    if (topics.values().stream().distinct().count() < topics.size()) {
      problems.add(t.position(), "cluster: the four topics need four different names");
    }
    Duration produceTimeout =
        c.duration(
            "produce_timeout",
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofMinutes(2));
    String advertise = c.string("advertise", null);
    if (advertise != null && !HOST_PORT.matcher(advertise).matches()) {
      problems.add(
          c.node("advertise").position(),
          "cluster: advertise '"
              + advertise
              + "' must look like host:port (where the other nodes reach this node's HTTP API)");
    }
    Map<String, String> kafka = c.stringMap("kafka");
    for (String managed :
        List.of(
            "bootstrap.servers",
            "group.id",
            "acks",
            "enable.idempotence",
            "transactional.id",
            "key.serializer",
            "value.serializer",
            "key.deserializer",
            "value.deserializer")) {
      if (kafka.containsKey(managed)) {
        problems.add(
            c.node("kafka").position(),
            "cluster: '"
                + managed
                + "' is set by Rollguard (its guarantees depend on it); leave it out of 'kafka:'");
      }
    }
    c.finish();
    return new RollguardConfig.Cluster(
        servers,
        group,
        keyLabel,
        partitions,
        replication,
        topics,
        produceTimeout,
        kafka,
        advertise);
  }
}
