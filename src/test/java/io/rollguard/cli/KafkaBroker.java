package io.rollguard.cli;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker in KRaft mode (broker and controller in one process), started from the {@code
 * kafka_2.13} jar on the test class path in a child JVM: formatted with Kafka's own StorageTool,
 * run with its own main class {@code kafka.Kafka}, no Docker. {@link #kill} and {@link #restart}
 * keep the log directory, so a restarted broker has every record it acknowledged.
 */
public final class KafkaBroker implements AutoCloseable {

  /** The broker JVM's flags in tests: small and quick to start (C1 only). */
  private static final List<String> TEST_FLAGS =
      List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final Path dir;
  private final Path properties;
  private final int port;
  private final List<String> flags;
  private Process process;
  private int lives;

  private KafkaBroker(Path dir, Path properties, int port, List<String> flags) {
    this.dir = dir;
    this.properties = properties;
    this.port = port;
    this.flags = flags;
  }

  /** Formats a log directory under {@code dir} and starts the broker; returns when it answers. */
  static KafkaBroker start(Path dir) throws Exception {
    return start(dir, TEST_FLAGS);
  }

  /** As {@link #start(Path)}, with the broker JVM's flags (benchmarks give it a full JIT). */
  public static KafkaBroker start(Path dir, List<String> jvmFlags) throws Exception {
    int port = freePort();
    int controller = freePort();
    Path props = dir.resolve("server.properties");
    Files.writeString(
        props,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@localhost:" + controller,
            "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controller,
            "advertised.listeners=PLAINTEXT://localhost:" + port,
            "inter.broker.listener.name=PLAINTEXT",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("data"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "group.min.session.timeout.ms=1000",
            "auto.create.topics.enable=false",
            "broker.session.timeout.ms=2000",
            "broker.heartbeat.interval.ms=500",
            ""));
    KafkaBroker broker = new KafkaBroker(dir, props, port, List.copyOf(jvmFlags));
    Process format =
        new ProcessBuilder(
                broker.java(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    Uuid.randomUuid().toString(),
                    "-c",
                    props.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("format.log").toFile())
            .start();
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException(
          "formatting the broker's log failed: " + Files.readString(dir.resolve("format.log")));
    }
    broker.run();
    return broker;
  }

  /** The broker process's id (benchmarks read its CPU time from /proc). */
  public long pid() {
    return process.pid();
  }

  public String bootstrap() {
    return "localhost:" + port;
  }

  /** Kills the broker at once ({@code kill -9}). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Starts the broker again on the same log directory and port. */
  void restart() throws Exception {
    run();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void run() throws Exception {
    lives++;
    process =
        new ProcessBuilder(java("kafka.Kafka", properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("broker-" + lives + ".log").toFile())
            .start();
    Map<String, Object> c =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Admin admin = Admin.create(c)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "the broker exited: " + Files.readString(dir.resolve("broker-" + lives + ".log")));
        }
        try {
          if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          // not up yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker did not come up within 60 s");
        }
      }
    }
  }

  /** A child JVM on the test class path without our SLF4J binding (the broker has log4j2's). */
  private List<String> java(String... mainAndArgs) {
    String classPath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !e.contains("slf4j-jdk14"))
            .collect(Collectors.joining(File.pathSeparator));
    Path log4j = Path.of("src/test/resources/kafka-broker-log4j2.properties").toAbsolutePath();
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(flags);
    command.addAll(List.of("-Dlog4j2.configurationFile=" + log4j, "-cp", classPath));
    command.addAll(List.of(mainAndArgs));
    return command;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
