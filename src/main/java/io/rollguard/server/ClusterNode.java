package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.Clock;
import io.rollguard.cluster.BodyRecords;
import io.rollguard.cluster.Membership;
import io.rollguard.cluster.PointRecords;
import io.rollguard.cluster.RecordApplier;
import io.rollguard.config.RollguardConfig;
import io.rollguard.ingest.IngestHandler;
import io.rollguard.notify.AlertEventJson;
import io.rollguard.notify.Notification;
import io.rollguard.notify.Notifier;
import io.rollguard.rollout.RolloutEngine;
import io.rollguard.slo.SloEngine;
import io.rollguard.window.SampleSink;
import io.rollguard.window.SeriesRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * One node of a Rollguard cluster on Kafka (docs/cluster.md). Every node takes ingest: it produces
 * each body's records to the samples topic, keyed by the key label, and answers once all are
 * acknowledged by every in-sync replica ({@link IngestHandler.Forwarder}). Every node is a member
 * of the consumer group on the samples topic: for each partition it is assigned it first rebuilds,
 * then owns the keys of that partition ({@link ClusterOwnership}): it restores their alert, rollout
 * and SLO states and their unsettled notifications from the compacted state topic, replays the
 * partition's samples of the longest window into fresh windows, and only then evaluates them. After
 * every evaluation the owner writes the state record of each of its keys that changed, in a Kafka
 * transaction that also commits its consumer offsets: a node that lost its partitions (a zombie) is
 * fenced by the group's generation and cannot write a state for them.
 *
 * <p><b>Threads.</b> The group consumer, the rebuilds and the probe run on "rollguard-cluster"; the
 * state transactions on "rollguard-cluster-state"; the members topic on "rollguard-cluster-members"
 * ({@link ClusterMembers}); ingest records are handed to the thread-safe idempotent producer from
 * "rollguard-produce". None of them is an event loop, so a broker outage never blocks one.
 */
final class ClusterNode implements ClusterOwnership, IngestHandler.Forwarder {

  private static final Logger LOG = Logger.getLogger("io.rollguard.cluster");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(100);

  /** How often the loop asks the brokers for its partitions' end offsets (can it still read?). */
  private static final long PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Unable to read its partitions for this long, a node holds its evaluation (docs/cluster.md). */
  private static final long BLIND_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RollguardConfig.Cluster settings;
  private final Vertx vertx;
  private final Clock clock;
  private final SeriesRegistry series;
  private final long replayMillis;
  private final String nodeId;
  private final String samplesTopic;
  private final String stateTopic;
  private final String membersTopic;
  private final String address;
  private final ClusterMembers members;

  /** The state files' stores, for their item codecs: a state record holds the same items. */
  private final AlertStateStore alertCodec;

  private final RolloutStateStore rolloutCodec;
  private final SloStateStore sloCodec;

  private final KafkaProducer<String, byte[]> ingest;
  private final ExecutorService produceThread =
      Executors.newSingleThreadExecutor(r -> daemon(r, "rollguard-produce"));
  private final Thread loop;
  private volatile boolean running = true;
  private volatile int partitions;

  /** Partitions rebuilt and owned; written by the loop thread, read by any. */
  private final Set<Integer> owned = ConcurrentHashMap.newKeySet();

  /** The latest states the rules service handed on, not yet written. */
  private final AtomicReference<States> latest = new AtomicReference<>();

  /** What was last written (or restored) per key: only changes are written (loop thread). */
  private final Map<String, String> written = new ConcurrentHashMap<>();

  /** Where the group consumer stands, for the state transactions (from the loop thread). */
  private record Position(
      Map<TopicPartition, OffsetAndMetadata> offsets,
      org.apache.kafka.clients.consumer.ConsumerGroupMetadata group) {}

  private volatile Position position;

  /**
   * State transactions run on a thread of their own, so that a slow commit (a broker failing over,
   * the first transaction creating Kafka's transaction log) never stalls consumption.
   */
  private final java.util.concurrent.ScheduledExecutorService stateThread =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rollguard-cluster-state"));

  private RulesService rules;
  private Notifier notifier;
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> states;

  private final Counter produceFailures;
  private final Counter stateWriteFailures;
  private final Counter badRecords;
  private final Counter refusedSeries;
  private final Counter rebuilds;
  private final Timer rebuildTime;
  private final AtomicInteger replayed = new AtomicInteger();

  /** The generation whose offsets the coordinator refused last (state thread). */
  private int refusedGeneration = -2;

  /** Loop thread: when it last asked the brokers and when they last answered. */
  private long probedAt;

  /** When the brokers last answered the probe (written by the loop thread, read by any). */
  private volatile long answeredAt;

  private volatile boolean blind;
  private final Counter blindSpells;

  ClusterNode(
      RollguardConfig.Cluster settings,
      Vertx vertx,
      Clock clock,
      SeriesRegistry series,
      long replayMillis,
      String nodeId,
      String address,
      AlertStateStore alertCodec,
      RolloutStateStore rolloutCodec,
      SloStateStore sloCodec,
      MeterRegistry meters) {
    this.settings = settings;
    this.vertx = vertx;
    this.clock = clock;
    this.series = series;
    this.replayMillis = replayMillis;
    this.nodeId = nodeId;
    this.samplesTopic = settings.topics().get("samples");
    this.stateTopic = settings.topics().get("state");
    this.membersTopic = settings.topics().get("members");
    this.address = address;
    this.alertCodec = alertCodec;
    this.rolloutCodec = rolloutCodec;
    this.sloCodec = sloCodec;
    this.ingest =
        new KafkaProducer<>(ingestProps(), new StringSerializer(), new ByteArraySerializer());
    this.loop = new Thread(this::run, "rollguard-cluster");
    loop.setDaemon(true);
    this.produceFailures =
        Counter.builder("rollguard.cluster.produce.failures")
            .description("Ingest bodies answered 503 because Kafka did not acknowledge them")
            .register(meters);
    this.stateWriteFailures =
        Counter.builder("rollguard.cluster.state.write.failures")
            .description("State transactions that failed (retried; fenced ones give the keys up)")
            .register(meters);
    this.badRecords =
        Counter.builder("rollguard.cluster.records.unreadable")
            .description("Records of the samples or state topic that could not be read (skipped)")
            .register(meters);
    this.refusedSeries =
        Counter.builder("rollguard.cluster.records.refused")
            .description("Records of the samples topic refused by a series cap on this owner")
            .register(meters);
    this.rebuilds =
        Counter.builder("rollguard.cluster.rebuilds")
            .description("Partitions rebuilt after an assignment")
            .register(meters);
    this.rebuildTime =
        Timer.builder("rollguard.cluster.rebuild")
            .description("Time from an assignment to evaluating its keys")
            .register(meters);
    this.blindSpells =
        Counter.builder("rollguard.cluster.blind")
            .description(
                "Times this node could not read its partitions for 1 s and held its evaluation")
            .register(meters);
    Gauge.builder("rollguard.cluster.reading", this, n -> n.blind ? 0 : 1)
        .description("1 while this node can read its partitions, 0 while it holds evaluation")
        .register(meters);
    this.members =
        new ClusterMembers(
            membersTopic,
            nodeId,
            address,
            ingest,
            this::reader,
            () -> Set.copyOf(owned),
            clock,
            badRecords);
    Gauge.builder("rollguard.cluster.partitions.owned", owned, Set::size)
        .description("Partitions of the samples topic this node owns and evaluates")
        .register(meters);
  }

  /** The rules service and notifier this node feeds and restores (before {@link #start}). */
  void attach(RulesService rules, Notifier notifier) {
    this.rules = rules;
    this.notifier = notifier;
  }

  /**
   * Creates the topics when missing and joins the group. Blocking (a worker thread): fails with
   * what Kafka said when the brokers cannot be reached or the topics cannot be made.
   */
  void start() throws Exception {
    try {
      join();
    } catch (KafkaException e) {
      Throwable root = e;
      StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
        why.append(": ").append(root.getMessage());
      }
      throw new IllegalStateException("cluster: " + why, e);
    }
  }

  private void join() throws Exception {
    Properties admin = common();
    admin.putIfAbsent("request.timeout.ms", "10000");
    admin.putIfAbsent("default.api.timeout.ms", "30000");
    try (Admin a = Admin.create(admin)) {
      short rf = (short) settings.replicationFactor();
      Map<String, String> compacted =
          Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0");
      Map<String, String> samples =
          Map.of("retention.ms", String.valueOf(Math.max(replayMillis * 2, 3_600_000L)));
      List<NewTopic> wanted =
          List.of(
              new NewTopic(samplesTopic, settings.partitions(), rf).configs(samples),
              new NewTopic(stateTopic, settings.partitions(), rf).configs(compacted),
              new NewTopic(membersTopic, 1, rf)
                  .configs(
                      Map.of(
                          "cleanup.policy",
                          "compact",
                          "min.compaction.lag.ms",
                          "0",
                          "message.timestamp.type",
                          "LogAppendTime")));
      for (NewTopic t : wanted) {
        try {
          // past the admin's own timeout (default.api.timeout.ms), which says more
          a.createTopics(List.of(t)).all().get(40, TimeUnit.SECONDS);
          LOG.info(() -> "cluster: created topic " + t.name());
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException(
              "cluster: cannot create topic "
                  + t.name()
                  + ": no answer from "
                  + settings.bootstrapServers()
                  + " within 40 s",
              e);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cluster: cannot create topic " + t.name() + ": " + e.getCause().getMessage(), e);
          }
        }
      }
      int samplesPartitions = partitionsOf(a, samplesTopic);
      int statePartitions = partitionsOf(a, stateTopic);
      if (samplesPartitions != statePartitions) {
        throw new IllegalStateException(
            "cluster: topics "
                + samplesTopic
                + " and "
                + stateTopic
                + " must have as many partitions (a key's samples and state share the partition"
                + " number); they have "
                + samplesPartitions
                + " and "
                + statePartitions);
      }
      partitions = samplesPartitions;
    }
    states = newStateProducer();
    consumer =
        new KafkaConsumer<>(groupProps(), new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(samplesTopic), new Listener());
    loop.start();
    members.start();
    stateThread.scheduleWithFixedDelay(this::writeStatesSafely, 100, 100, TimeUnit.MILLISECONDS);
    LOG.info(
        () ->
            "cluster: node "
                + nodeId
                + " joined group "
                + settings.group()
                + " on "
                + settings.bootstrapServers()
                + " ("
                + partitions
                + " partitions, key label "
                + settings.keyLabel()
                + ")");
  }

  /** How many partitions a topic has; a topic just made may take a moment to be known. */
  private int partitionsOf(Admin a, String topic) throws Exception {
    long deadline = clock.monotonicTimeNanos() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return a.describeTopics(List.of(topic))
            .allTopicNames()
            .get(10, TimeUnit.SECONDS)
            .get(topic)
            .partitions()
            .size();
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause()
                instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || clock.monotonicTimeNanos() > deadline) {
          throw new IllegalStateException(
              "cluster: cannot read topic " + topic + ": " + e.getCause().getMessage(), e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
  }

  /** Leaves the group (its partitions move at once) and closes the clients. */
  void close() {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
      try {
        loop.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    produceThread.shutdown();
    members.leave();
    ingest.close(Duration.ofSeconds(2));
  }

  // --- ingest --------------------------------------------------------------------------------

  @Override
  public SampleSink open() {
    return new BodyRecords(settings.keyLabel());
  }

  @Override
  public Future<Void> send(SampleSink body) {
    List<BodyRecords.Keyed> records = ((BodyRecords) body).records();
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    Context context = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    AtomicInteger left = new AtomicInteger(records.size());
    java.util.concurrent.atomic.AtomicBoolean failed =
        new java.util.concurrent.atomic.AtomicBoolean();
    Runnable produce =
        () -> {
          for (BodyRecords.Keyed r : records) {
            try {
              ingest.send(
                  new ProducerRecord<>(samplesTopic, null, r.timestampMillis(), r.key(), r.value()),
                  (meta, e) -> {
                    if (e != null) {
                      if (failed.compareAndSet(false, true)) {
                        produceFailures.increment();
                        context.runOnContext(v -> done.fail(e));
                      }
                    } else if (left.decrementAndGet() == 0 && !failed.get()) {
                      context.runOnContext(v -> done.complete());
                    }
                  });
            } catch (KafkaException e) { // metadata not there within max.block.ms, or closed
              if (failed.compareAndSet(false, true)) {
                produceFailures.increment();
                context.runOnContext(v -> done.fail(e));
              }
              return;
            }
          }
        };
    try {
      produceThread.execute(produce);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return Future.failedFuture("the node is shutting down");
    }
    return done.future();
  }

  // --- ownership -----------------------------------------------------------------------------

  @Override
  public String keyLabel() {
    return settings.keyLabel();
  }

  @Override
  public boolean owns(String key) {
    int n = partitions;
    return n > 0 && owned.contains(partitionOf(key, n));
  }

  @Override
  public void statesChanged(States s) {
    latest.set(s);
  }

  /** The partition Kafka's default partitioner gives a record keyed {@code key}. */
  static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  // --- the loop ------------------------------------------------------------------------------

  private void run() {
    RecordApplier applier = new RecordApplier(series);
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          if (owned.contains(r.partition())) {
            apply(applier, r.value());
          }
        }
        position = positionNow();
        members.generation(consumer.groupMetadata().generationId());
        probe();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "cluster: the consumer loop failed; this node stops evaluating", e);
      owned.clear();
    } finally {
      try {
        consumer.close(
            org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cluster: closing the consumer", e);
      }
      stateThread.execute(() -> states.close(Duration.ofSeconds(2)));
      stateThread.shutdown();
    }
  }

  /** Where the group consumer stands now, in the group's current generation (loop thread). */
  private Position positionNow() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
    }
    return new Position(offsets, consumer.groupMetadata());
  }

  /**
   * Asks the brokers for the end offsets of the assigned partitions every {@link #PROBE_NANOS}: a
   * node that cannot read its partitions sees no samples, and its windows would empty and resolve
   * firing alerts for lack of data that was never lost, only not readable. After {@link
   * #BLIND_NANOS} without an answer it holds its evaluation; once it reads again, it catches up and
   * its alert instances warm up for a window again, as after a takeover (loop thread).
   */
  private void probe() {
    long t = clock.monotonicTimeNanos();
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty() || answeredAt == 0) {
      answeredAt = t;
    } else if (t - probedAt >= PROBE_NANOS) {
      probedAt = t;
      try {
        consumer.endOffsets(assigned, Duration.ofMillis(500));
        answeredAt = clock.monotonicTimeNanos();
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        // not answered: counted below
      }
    }
    boolean cannotRead = clock.monotonicTimeNanos() - answeredAt > BLIND_NANOS;
    if (cannotRead && !blind) {
      blind = true;
      blindSpells.increment();
      rules.pause();
      LOG.warning(
          "cluster: cannot read partitions "
              + owned
              + " from Kafka; evaluation holds (no data is not taken for good news) until it can");
    } else if (!cannotRead && blind) {
      blind = false;
      int n = partitions;
      Set<Integer> mine = Set.copyOf(owned);
      try {
        rules
            .rewarm(key -> mine.contains(partitionOf(key, n)))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.log(Level.WARNING, "cluster: warming the alert instances up again", e);
      } finally {
        rules.resume();
      }
      LOG.info(() -> "cluster: reading partitions " + owned + " again; evaluation resumes");
    }
  }

  /** True while this node cannot read its partitions and holds its evaluation. */
  boolean blind() {
    return blind;
  }

  @Override
  public boolean reading() {
    long at = answeredAt;
    return !blind && (at == 0 || clock.monotonicTimeNanos() - at <= BLIND_NANOS);
  }

  private void writeStatesSafely() {
    try {
      writeStates();
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "cluster: writing states failed", e);
    }
  }

  /** Writes the pending states now, on the state thread, and waits (a partition is leaving). */
  private void writeStatesNow() {
    try {
      stateThread.submit(this::writeStatesSafely).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cluster: the last state write before a rebalance failed", e);
    }
  }

  private void apply(RecordApplier applier, byte[] value) {
    try {
      if (!applier.apply(PointRecords.decode(value), clock.wallTimeMillis())) {
        refusedSeries.increment();
      }
    } catch (IllegalArgumentException e) {
      badRecords.increment();
      LOG.warning(() -> "cluster: unreadable record on " + samplesTopic + ": " + e.getMessage());
    }
  }

  /**
   * Writes the state records of owned keys that changed, with the offsets, in one transaction
   * (state thread only).
   */
  private void writeStates() {
    Position at = position;
    if (at == null || owned.isEmpty() || at.group().generationId() == refusedGeneration) {
      return; // nothing to write, or wait for the consumer's position in the new generation
    }
    States s = latest.getAndSet(null);
    int n = partitions;
    if (s == null) {
      return;
    }
    Map<String, String> records = new LinkedHashMap<>();
    for (Map.Entry<String, ObjectNode> e : byKey(s).entrySet()) {
      if (owned.contains(partitionOf(e.getKey(), n))) {
        String json = e.getValue().toString();
        if (!json.equals(written.get(e.getKey()))) {
          records.put(e.getKey(), json);
        }
      }
    }
    if (records.isEmpty()) {
      return;
    }
    try {
      states.beginTransaction();
      records.forEach(
          (key, json) ->
              states.send(
                  new ProducerRecord<>(stateTopic, key, json.getBytes(StandardCharsets.UTF_8))));
      states.sendOffsetsToTransaction(at.offsets(), at.group());
      states.commitTransaction();
      written.putAll(records);
    } catch (org.apache.kafka.clients.consumer.CommitFailedException
        | org.apache.kafka.common.errors.FencedInstanceIdException e) {
      // The group's generation moved on since the position was taken (a rebalance): the
      // coordinator refused the offsets, so the whole transaction is void. Whether the partitions
      // are still ours the consumer learns in its next poll (revoked or lost); until then this
      // retries with the position of the new generation, and a zombie keeps being refused.
      stateWriteFailures.increment();
      refusedGeneration = at.group().generationId();
      LOG.info(
          () ->
              "cluster: state write refused for group generation "
                  + at.group().generationId()
                  + "; written again in the new one");
      try {
        states.abortTransaction();
      } catch (KafkaException again) {
        states.close(Duration.ZERO);
        states = newStateProducer();
      }
      latest.compareAndSet(null, s);
    } catch (org.apache.kafka.common.errors.ProducerFencedException
        | org.apache.kafka.common.errors.InvalidProducerEpochException e) {
      stateWriteFailures.increment();
      LOG.log(
          Level.SEVERE,
          "cluster: fenced while writing states ("
              + e
              + "); giving up every partition until the group assigns them again",
          e);
      Set<Integer> gone = Set.copyOf(owned);
      owned.clear();
      members.changed(); // the members thread says so on the members topic
      release(gone);
      states.close(Duration.ZERO);
      states = newStateProducer();
    } catch (KafkaException e) {
      stateWriteFailures.increment();
      LOG.log(Level.WARNING, "cluster: writing states failed; retried at the next evaluation", e);
      try {
        states.abortTransaction();
      } catch (KafkaException again) {
        states.close(Duration.ZERO);
        states = newStateProducer();
      }
      latest.compareAndSet(null, s); // try again with these unless newer ones came
    }
  }

  /** Each key's state record: its definitions' states and its unsettled notifications. */
  private Map<String, ObjectNode> byKey(States s) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    for (String key : new HashSet<>(s.keyOf().values())) {
      ObjectNode o = MAPPER.createObjectNode().put("format", 1);
      o.putArray("instances");
      o.putArray("stages");
      o.putArray("slos");
      o.putArray("unsettled");
      out.put(key, o);
    }
    for (RuleEngine.SavedInstance i : s.instances()) {
      add(out, s, AlertEvent.Source.RULE, i.rule(), "instances", i, alertCodec.codec());
    }
    for (RolloutEngine.SavedStage st : s.stages()) {
      add(out, s, AlertEvent.Source.ROLLOUT, st.rollout(), "stages", st, rolloutCodec.codec());
    }
    for (SloEngine.SavedSlo slo : s.slos()) {
      add(out, s, AlertEvent.Source.SLO, slo.name(), "slos", slo, sloCodec.codec());
    }
    for (Notification n : s.unsettled()) {
      if (n.alert() == null) {
        continue; // a report: every node sends its own (docs/cluster.md)
      }
      String key =
          s.keyOf().get(ClusterOwnership.definitionKey(n.alert().source(), n.alert().rule()));
      if (key != null) {
        ((ArrayNode) out.get(key).get("unsettled")).add(AlertEventJson.write(n));
      }
    }
    return out;
  }

  private static <T> void add(
      Map<String, ObjectNode> out,
      States s,
      AlertEvent.Source source,
      String name,
      String list,
      T item,
      StateFile.Codec<T> codec) {
    String key = s.keyOf().get(ClusterOwnership.definitionKey(source, name));
    if (key != null) {
      codec.write(item, ((ArrayNode) out.get(key).get(list)).addObject());
    }
  }

  // --- members -------------------------------------------------------------------------------

  /** This node's name on the members topic. */
  String nodeId() {
    return nodeId;
  }

  /** Where the other nodes reach this node's HTTP API. */
  String address() {
    return address;
  }

  /** Who owns what, as the members topic tells it. */
  Membership membership() {
    return members.membership();
  }

  /** The partition of {@code key}; -1 before this node joined. */
  int partitionOf(String key) {
    int n = partitions;
    return n == 0 ? -1 : partitionOf(key, n);
  }

  /** How many partitions the samples topic has (0 before this node joined). */
  int partitions() {
    return partitions;
  }

  /** True when this node owns partition {@code p} and has rebuilt it. */
  boolean ownsPartition(int p) {
    return owned.contains(p);
  }

  // --- rebalancing ---------------------------------------------------------------------------

  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      members.generation(consumer.groupMetadata().generationId());
      if (!assigned.isEmpty()) {
        rebuild(assigned);
      }
      members.changed(); // called after every rebalance: the claim in the group's new generation
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      give(revoked, false);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      give(lost, true); // another node may own them already: writing is not ours any more
    }

    private void give(Collection<TopicPartition> parts, boolean lost) {
      if (parts.isEmpty()) {
        return;
      }
      if (!lost) {
        // the last states of what is leaving, while it is still ours, in the new generation
        position = positionNow();
        writeStatesNow();
      }
      Set<Integer> gone = new HashSet<>();
      parts.forEach(tp -> gone.add(tp.partition()));
      owned.removeAll(gone);
      members.generation(consumer.groupMetadata().generationId());
      members.changed();
      release(gone);
      LOG.info(() -> "cluster: gave up partitions " + gone);
    }
  }

  /** Forgets what this node held of the keys of {@code gone}: states and windows. */
  private void release(Set<Integer> gone) {
    int n = partitions;
    Predicate<String> keys = key -> gone.contains(partitionOf(key, n));
    written.keySet().removeIf(keys);
    try {
      rules.release(keys).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cluster: forgetting the states of moved keys", e);
    }
    evict(keys);
  }

  /** Evicts the windows of every series of {@code keys}. */
  private void evict(Predicate<String> keys) {
    series.evictWhere(
        labels -> {
          String key = labels.get(settings.keyLabel());
          return key != null && keys.test(key);
        });
  }

  /**
   * Rebuilds newly assigned partitions before they are evaluated (loop thread, inside poll): their
   * states from the state topic, their windows from the samples topic, then takes them over.
   */
  private void rebuild(Collection<TopicPartition> assigned) {
    long started = clock.monotonicTimeNanos();
    Set<Integer> parts = new HashSet<>();
    assigned.forEach(tp -> parts.add(tp.partition()));
    int n = partitions;
    Predicate<String> keys = key -> parts.contains(partitionOf(key, n));
    rules.pause();
    try {
      Map<String, byte[]> stateRecords = readStates(parts);
      List<RuleEngine.SavedInstance> instances = new ArrayList<>();
      List<RolloutEngine.SavedStage> stages = new ArrayList<>();
      List<SloEngine.SavedSlo> slos = new ArrayList<>();
      List<Notification> unsettled = new ArrayList<>();
      stateRecords.forEach(
          (key, value) -> {
            try {
              JsonNode o = MAPPER.readTree(value);
              o.path("instances").forEach(i -> instances.add(alertCodec.codec().read(i)));
              o.path("stages").forEach(i -> stages.add(rolloutCodec.codec().read(i)));
              o.path("slos").forEach(i -> slos.add(sloCodec.codec().read(i)));
              o.path("unsettled").forEach(i -> unsettled.add(AlertEventJson.readNotification(i)));
              written.put(key, o.toString());
            } catch (java.io.IOException | RuntimeException e) {
              badRecords.increment();
              LOG.log(Level.SEVERE, "cluster: unreadable state record of key " + key, e);
            }
          });
      evict(keys); // what this node may still hold of them from an earlier ownership
      Map<TopicPartition, Long> ends = replay(assigned);
      ends.forEach(consumer::seek);
      rules
          .takeOver(keys, instances, stages, slos)
          .toCompletionStage()
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      latest.set(null); // what was handed on before the takeover does not know it
      owned.addAll(parts);
      if (!unsettled.isEmpty()) {
        notifier.adopt(unsettled);
        LOG.info(() -> "cluster: " + unsettled.size() + " notification(s) to send again");
      }
      rebuilds.increment(parts.size());
      long tookNanos = clock.monotonicTimeNanos() - started;
      rebuildTime.record(Duration.ofNanos(tookNanos));
      LOG.info(
          () ->
              "cluster: took partitions "
                  + parts
                  + " in "
                  + tookNanos / 1_000_000
                  + " ms ("
                  + stateRecords.size()
                  + " state record(s), "
                  + replayed.getAndSet(0)
                  + " sample record(s) replayed)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the partitions stay unowned: nothing is evaluated for them rather than on half the data
      LOG.log(Level.SEVERE, "cluster: rebuilding partitions " + parts + " failed", e);
    } finally {
      rules.resume();
    }
  }

  /** The latest value of every key of the state topic's {@code parts}, read to their end. */
  private Map<String, byte[]> readStates(Set<Integer> parts) {
    Map<String, byte[]> latestByKey = new HashMap<>();
    List<TopicPartition> tps = new ArrayList<>();
    parts.forEach(p -> tps.add(new TopicPartition(stateTopic, p)));
    try (KafkaConsumer<String, byte[]> c = reader()) {
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      while (behind(c, ends)) {
        for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
          if (r.value() == null) {
            latestByKey.remove(r.key());
          } else {
            latestByKey.put(r.key(), r.value());
          }
        }
      }
    }
    return latestByKey;
  }

  /** Replays the longest window of {@code parts} of the samples topic; returns where it ended. */
  private Map<TopicPartition, Long> replay(Collection<TopicPartition> parts) {
    RecordApplier applier = new RecordApplier(series);
    List<TopicPartition> tps = List.copyOf(parts);
    try (KafkaConsumer<String, byte[]> c = reader()) {
      c.assign(tps);
      long from = clock.wallTimeMillis() - replayMillis;
      Map<TopicPartition, Long> query = new HashMap<>();
      tps.forEach(tp -> query.put(tp, from));
      Map<TopicPartition, OffsetAndTimestamp> starts = c.offsetsForTimes(query);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      for (TopicPartition tp : tps) {
        OffsetAndTimestamp at = starts.get(tp);
        c.seek(tp, at == null ? ends.get(tp) : at.offset());
      }
      while (behind(c, ends)) {
        for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
          if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
            apply(applier, r.value());
            replayed.incrementAndGet();
          }
        }
      }
      return ends;
    }
  }

  private static boolean behind(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> ends) {
    for (var e : ends.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return true;
      }
    }
    return false;
  }

  // --- clients -------------------------------------------------------------------------------

  private Properties common() {
    Properties p = new Properties();
    p.putAll(settings.kafka());
    p.put("bootstrap.servers", String.join(",", settings.bootstrapServers()));
    p.put("client.id", "rollguard-" + nodeId);
    return p;
  }

  private Properties ingestProps() {
    Properties p = common();
    long timeout = settings.produceTimeout().toMillis();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "1");
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(50, timeout - 10)));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout));
    return p;
  }

  private KafkaProducer<String, byte[]> newStateProducer() {
    Properties p = common();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.group() + "-state-" + nodeId);
    // an open transaction of a dead node holds back every read_committed reader of its partitions
    // until it times out: keep that short (a state transaction takes milliseconds)
    p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    producer.initTransactions();
    return producer;
  }

  private Properties groupProps() {
    Properties p = common();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.putIfAbsent(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
    // a rebuild runs inside poll: allow it the time a long window's replay can take
    p.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");
    return p;
  }

  /** A consumer outside the group, for the state topic and the replay. */
  private KafkaConsumer<String, byte[]> reader() {
    Properties p = common();
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put("client.id", "rollguard-" + nodeId + "-rebuild");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
