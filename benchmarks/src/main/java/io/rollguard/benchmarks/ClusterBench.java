package io.rollguard.benchmarks;

import io.rollguard.benchmarks.load.LoadGenerator;
import io.rollguard.cli.KafkaBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Cluster mode on this machine (docs/cluster.md, "Measured"): a real KRaft broker (full JIT, 1 GB
 * heap) and real Rollguard processes of {@code target/rollguard.jar}.
 *
 * <ul>
 *   <li>{@code ingest [seconds [connections [nodes...]]]}: for 1, 2 and 3 nodes (12 partitions, 24
 *       services, two rules per service), the Java load generator spreads its connections over the
 *       nodes; prints the samples accepted per second, each node's and the broker's CPU, CPU per
 *       sample, and the bytes the samples topic holds per sample and per record (on the broker's
 *       disk, lz4).
 *   <li>{@code failover [series...]}: two nodes; one service with that many series, one sample per
 *       series per second for a minute, then {@code kill -9} of the node that owns it; prints the
 *       time from the kill to the survivor's takeover and to its first evaluation of the rule, the
 *       rebuild time and the records it replayed.
 * </ul>
 *
 * Run: {@code mvn -B -q package -DskipTests && mvn -B -q test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test} then {@code java -cp
 * "target/test-classes:target/classes:$(cat target/bench.classpath)"
 * io.rollguard.benchmarks.ClusterBench ingest 20} (and {@code failover 1000 10000}).
 */
public final class ClusterBench {

  private static final int PARTITIONS = 12;
  private static final int SERVICES = 24;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final long HZ = 100; // USER_HZ on Linux

  /** Held: the harness's own Kafka admin clients log every setting at INFO otherwise. */
  private static final java.util.logging.Logger KAFKA_LOGS =
      java.util.logging.Logger.getLogger("org.apache.kafka");

  private ClusterBench() {}

  /**
   * The harness paces its pushes and polls (a benchmark, not a test: there is no clock to fake).
   */
  private static void pause(long millis) {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  public static void main(String[] args) throws Exception {
    KAFKA_LOGS.setLevel(java.util.logging.Level.WARNING);
    Path work = Files.createTempDirectory("rollguard-cluster-bench");
    System.out.printf(
        "machine: %d cores, %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    try (KafkaBroker broker =
        KafkaBroker.start(
            Files.createDirectories(work.resolve("kafka")),
            List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC"))) {
      switch (args.length == 0 ? "ingest" : args[0]) {
        case "ingest" -> {
          int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
          int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
          List<Integer> counts = new ArrayList<>();
          for (int i = 3; i < args.length; i++) {
            counts.add(Integer.parseInt(args[i]));
          }
          for (int n : counts.isEmpty() ? List.of(1, 2, 3) : counts) {
            ingest(work, broker, n, seconds, connections);
          }
        }
        case "failover" -> {
          for (int i = 1; i < args.length; i++) {
            failover(work, broker, Integer.parseInt(args[i]));
          }
        }
        default -> throw new IllegalArgumentException("ingest [seconds] | failover [series...]");
      }
    }
  }

  // --- nodes ---------------------------------------------------------------------------------

  record Node(Process process, int port, Path home) {
    String base() {
      return "http://127.0.0.1:" + port;
    }

    long cpuTicks() throws IOException {
      return ticks(process.pid());
    }

    String stderr() throws IOException {
      return Files.readString(home.resolve("err.log"));
    }
  }

  static long ticks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
  }

  private static Node node(Path home, KafkaBroker broker, String prefix, String rules)
      throws Exception {
    Files.createDirectories(home.resolve("rules"));
    Files.writeString(home.resolve("rules/rules.yaml"), rules);
    Files.writeString(
        home.resolve("rollguard.yaml"),
        "server: {host: 127.0.0.1, port: 0}\n"
            + "data_dir: state\nevaluation_interval: 1s\nrules: [rules]\n"
            + "limits: {max_series: 1000000, max_series_per_service: 1000000,"
            + " max_inflight_requests: 4096}\n"
            + (broker == null ? "" : cluster(broker, prefix)));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString()));
    String opts = System.getenv("NODE_JAVA_OPTS"); // e.g. a flight recording
    if (opts != null && !opts.isBlank()) {
      command.addAll(List.of(opts.replace("{home}", home.toString()).trim().split("\\s+")));
    }
    command.addAll(
        List.of(
            "-jar",
            Path.of("target/rollguard.jar").toAbsolutePath().toString(),
            "serve",
            "--config",
            "rollguard.yaml"));
    Process p =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectOutput(home.resolve("out.log").toFile())
            .redirectError(home.resolve("err.log").toFile())
            .start();
    Pattern listening = Pattern.compile("listening on http://[^ ]+:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Matcher m = listening.matcher(Files.readString(home.resolve("out.log")));
      if (m.find()) {
        return new Node(p, Integer.parseInt(m.group(1)), home);
      }
      if (!p.isAlive()) {
        break;
      }
      pause(100);
    }
    p.destroyForcibly();
    throw new IllegalStateException(
        "node did not start: " + Files.readString(home.resolve("err.log")));
  }

  /** The {@code cluster:} section of a benchmark node (topics of their own per run). */
  private static String cluster(KafkaBroker broker, String prefix) {
    return "cluster:\n  bootstrap_servers: [\""
        + broker.bootstrap()
        + "\"]\n  group: "
        + prefix
        + "\n  partitions: "
        + PARTITIONS
        + "\n  replication_factor: 1\n"
        + "  topics: {samples: "
        + prefix
        + ".samples, state: "
        + prefix
        + ".state, outbox: "
        + prefix
        + ".outbox, members: "
        + prefix
        + ".members}\n"
        + "  kafka: {session.timeout.ms: \"3000\", heartbeat.interval.ms: \"500\"}\n";
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until every partition has an owner, as {@code node} sees the cluster. */
  private static void awaitOwners(Node node, int nodes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get(node.base() + "/api/v1/cluster");
      if (r.statusCode() == 200) {
        JsonObject c = new JsonObject(r.body());
        long owning =
            c.getJsonArray("members").stream()
                .filter(m -> !((JsonObject) m).getJsonArray("owns").isEmpty())
                .count();
        if (c.getJsonArray("partial").isEmpty() && owning == nodes) {
          return;
        }
      }
      pause(200);
    }
    throw new IllegalStateException("the partitions were not all owned: " + node.stderr());
  }

  private static double metric(Node node, String prefix) throws Exception {
    double sum = 0;
    for (String line : get(node.base() + "/metrics").body().split("\n")) {
      if (line.startsWith(prefix)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Bytes of {@code topic} on the broker's disk, and its records (end offsets). */
  private static long[] topicSize(KafkaBroker broker, String topic) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrap());
    try (Admin admin = Admin.create(p)) {
      long bytes = 0;
      Map<String, LogDirDescription> dirs =
          admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
      for (LogDirDescription d : dirs.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
          if (e.getKey().topic().equals(topic)) {
            bytes += e.getValue().size();
          }
        }
      }
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int i = 0; i < PARTITIONS; i++) {
        latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
      }
      long records = 0;
      for (var r : admin.listOffsets(latest).all().get().values()) {
        records += r.offset();
      }
      return new long[] {bytes, records};
    }
  }

  private static void stop(List<Node> nodes) throws InterruptedException {
    for (Node n : nodes) {
      n.process().destroy();
    }
    for (Node n : nodes) {
      if (!n.process().waitFor(20, TimeUnit.SECONDS)) {
        n.process().destroyForcibly();
      }
    }
  }

  // --- ingest --------------------------------------------------------------------------------

  private static void ingest(Path work, KafkaBroker broker, int n, int seconds, int connections)
      throws Exception {
    String prefix = n == 0 ? "single" : "ingest" + n;
    StringBuilder rules = new StringBuilder("rules:\n");
    for (int s = 0; s < SERVICES; s++) {
      String svc = String.format("svc-%03d", s);
      rules.append(
          String.format(
              "  - {name: %s-errors, select: {service: %s}, window: 1m, when: error_rate > 5%%}%n"
                  + "  - {name: %s-p95, select: {service: %s}, window: 1m, when: p95 > 2s}%n",
              svc, svc, svc, svc));
    }
    List<Node> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < Math.max(1, n); i++) {
        nodes.add(
            node(work.resolve(prefix + "-" + i), n == 0 ? null : broker, prefix, rules.toString()));
      }
      if (n > 0) {
        awaitOwners(nodes.get(0), n);
      }
      int k = nodes.size();
      List<String> urls = nodes.stream().map(Node::base).toList();
      String[] load = {
        "--url",
        String.join(",", urls),
        "--services",
        String.valueOf(SERVICES),
        "--series",
        "1000",
        "--samples",
        "1000",
        "--connections",
        String.valueOf(connections),
        "--seconds",
        ""
      };
      load[load.length - 1] = "15";
      LoadGenerator.main(load); // warm-up: the JIT of the nodes and the broker
      double samples0 = 0;
      for (Node node : nodes) {
        samples0 += metric(node, "rollguard_ingest_samples_total{kind=\"requests\"");
      }
      long[] cpu0 = new long[k];
      for (int i = 0; i < k; i++) {
        cpu0[i] = nodes.get(i).cpuTicks();
      }
      long broker0 = ticks(broker.pid());
      long start = System.nanoTime();
      load[load.length - 1] = String.valueOf(seconds);
      LoadGenerator.main(load);
      double elapsed = (System.nanoTime() - start) / 1e9;
      long brokerTicks = ticks(broker.pid()) - broker0;
      double samples1 = 0;
      double[] perNode = new double[k];
      for (int i = 0; i < k; i++) {
        perNode[i] = metric(nodes.get(i), "rollguard_ingest_samples_total{kind=\"requests\"");
        samples1 += perNode[i];
      }
      double accepted = samples1 - samples0;
      System.out.printf(
          Locale.ROOT,
          "%s: %.2fM samples/s accepted over %.1f s%n",
          n == 0 ? "single-node mode (no cluster:)" : n + " node(s)",
          accepted / elapsed / 1e6,
          elapsed);
      long nodeTicks = 0;
      for (int i = 0; i < k; i++) {
        long t = nodes.get(i).cpuTicks() - cpu0[i];
        nodeTicks += t;
        JsonArray ruleList =
            new JsonObject(get(nodes.get(i).base() + "/api/v1/rules").body()).getJsonArray("rules");
        System.out.printf(
            Locale.ROOT,
            "  node %d: %.2f cores, owns %.0f partitions, took %.0f%% of the ingest%n",
            i + 1,
            t / (double) HZ / elapsed,
            metric(nodes.get(i), "rollguard_cluster_partitions_owned"),
            100 * perNode[i] / samples1);
        if (i == 0) {
          double evalMs = 0;
          for (Object r : ruleList) {
            evalMs += ((JsonObject) r).getDouble("evaluation_ms", 0.0);
          }
          System.out.printf(
              Locale.ROOT,
              "  evaluation: %d rules, %.2f ms per tick for all of them (the last tick's sum)%n",
              ruleList.size(),
              evalMs);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "  all nodes: %.2f cores, %.0f ns of node CPU per sample; broker %.2f cores, %.0f ns"
              + " per sample%n",
          nodeTicks / (double) HZ / elapsed,
          nodeTicks / (double) HZ * 1e9 / accepted,
          brokerTicks / (double) HZ / elapsed,
          brokerTicks / (double) HZ * 1e9 / accepted);
      if (n == 0) {
        return; // single-node mode: no topics
      }
      long[] size = topicSize(broker, prefix + ".samples");
      System.out.printf(
          Locale.ROOT,
          "  topic %s: %.1f MB, %d records, %.0f B per record, %.3f B per sample (lz4, on disk)%n",
          prefix + ".samples",
          size[0] / 1e6,
          size[1],
          size[0] / (double) size[1],
          size[0] / samples1);
      long[] states = topicSize(broker, prefix + ".state");
      System.out.printf(Locale.ROOT, "  topic %s: %d records%n", prefix + ".state", states[1]);
    } finally {
      stop(nodes);
    }
  }

  // --- failover ------------------------------------------------------------------------------

  /** One sample per series: a body of {@code per} batches of one request each. */
  private static List<String> sparseBodies(int series, int per, Random random) {
    List<String> bodies = new ArrayList<>();
    for (int from = 0; from < series; from += per) {
      StringBuilder sb = new StringBuilder("[");
      for (int s = from; s < Math.min(series, from + per); s++) {
        sb.append(s > from ? "," : "")
            .append("{\"service\":\"hot\",\"labels\":{\"pod\":\"p-")
            .append(s)
            .append("\"},\"requests\":[{\"latency_ms\":")
            .append(String.format(Locale.ROOT, "%.1f", Math.exp(4 + 0.6 * random.nextGaussian())))
            .append(",\"ok\":")
            .append(random.nextInt(100) != 0)
            .append("}]}");
      }
      bodies.add(sb.append(']').toString());
    }
    return bodies;
  }

  private static long pushAll(String base, List<String> bodies) throws Exception {
    long accepted = 0;
    for (String b : bodies) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/ingest"))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(b))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        accepted += new JsonObject(r.body()).getLong("accepted");
      }
    }
    return accepted;
  }

  private static void failover(Path work, KafkaBroker broker, int series) throws Exception {
    String prefix = "failover" + series;
    String rules =
        "rules:\n  - {name: hot-errors, select: {service: hot}, window: 1m, when: error_rate > 50%}\n";
    List<Node> nodes = new ArrayList<>();
    try {
      nodes.add(node(work.resolve(prefix + "-a"), broker, prefix, rules));
      nodes.add(node(work.resolve(prefix + "-b"), broker, prefix, rules));
      awaitOwners(nodes.get(0), 2);
      int partition =
          Utils.toPositive(Utils.murmur2("hot".getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
      Node owner = null;
      for (Node node : nodes) {
        if (new JsonObject(get(node.base() + "/api/v1/cluster").body())
            .getJsonArray("owned")
            .contains(partition)) {
          owner = node;
        }
      }
      Node survivor = nodes.get(0) == owner ? nodes.get(1) : nodes.get(0);
      List<String> bodies = sparseBodies(series, 1_000, new Random(series));
      long accepted = 0;
      long pushStart = System.nanoTime();
      for (int second = 0; second < 60; second++) {
        accepted += pushAll(survivor.base(), bodies);
        long next = pushStart + TimeUnit.SECONDS.toNanos(second + 1);
        pause(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
      }
      long[] size = topicSize(broker, prefix + ".samples");
      System.out.printf(
          Locale.ROOT,
          "failover, %d series of one service (one sample per series and second for 60 s, %d"
              + " accepted):%n  topic: %d records, %.0f B per record = per sample (lz4, on disk)%n",
          series,
          accepted,
          size[1],
          size[0] / (double) size[1]);
      // keep pushing through the survivor while the owner dies
      AtomicBoolean stop = new AtomicBoolean();
      Thread pusher =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    long t = System.nanoTime();
                    pushAll(survivor.base(), bodies);
                    pause(Math.max(0, 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t)));
                  }
                } catch (Exception e) {
                  // the run is over
                }
              });
      pusher.start();
      long killedAt = System.currentTimeMillis();
      owner.process().destroyForcibly();
      Pattern tookPattern =
          Pattern.compile(
              "(\\S+) INFO io.rollguard.cluster - cluster: took partitions \\[[^]]*\\] in (\\d+)"
                  + " ms \\((\\d+) state record\\(s\\), (\\d+) sample record\\(s\\) replayed\\)");
      long firstEvaluation = -1;
      long tookAt = 0;
      String tookLine = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (firstEvaluation < 0 && System.nanoTime() < deadline) {
        if (tookLine == null) {
          Matcher took = tookPattern.matcher(survivor.stderr());
          while (took.find()) {
            long at = Instant.parse(took.group(1)).toEpochMilli();
            if (at > killedAt) {
              tookAt = at;
              tookLine =
                  String.format(
                      Locale.ROOT,
                      "rebuild %s ms, %s state record(s), %s sample records replayed",
                      took.group(2),
                      took.group(3),
                      took.group(4));
            }
          }
        } else {
          HttpResponse<String> r = get(survivor.base() + "/api/v1/rules");
          if (r.statusCode() == 200) {
            for (Object o : new JsonObject(r.body()).getJsonArray("rules")) {
              Long last = ((JsonObject) o).getLong("last_evaluation");
              if (last != null && last >= tookAt) {
                firstEvaluation = last;
              }
            }
          }
        }
        pause(20);
      }
      stop.set(true);
      pusher.join(30_000);
      System.out.printf(
          Locale.ROOT,
          "  kill -9 -> takeover done %.2f s (%s); -> first evaluation on the new owner %.2f s%n",
          (tookAt - killedAt) / 1000.0,
          tookLine,
          (firstEvaluation - killedAt) / 1000.0);
    } finally {
      stop(nodes);
    }
  }
}
