package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.rollguard.clock.Clock;
import io.rollguard.cluster.Membership;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A cluster node's side of the members topic (docs/cluster.md, "Reads from any node"): it describes
 * this node (its HTTP address, the partitions it owns and the group generation it owns them in)
 * after every change and every {@link #REFRESH_MILLIS}, and follows every node's record into a
 * {@link Membership}. One thread of its own ("rollguard-cluster-members"): a consumer loop busy
 * rebuilding a long window must not let the others expire this node, and a send that blocks on a
 * full producer buffer blocks this thread only.
 */
final class ClusterMembers {

  private static final Logger LOG = Logger.getLogger("io.rollguard.cluster");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** How often a node describes itself besides every rebalance. */
  static final long REFRESH_MILLIS = 10_000;

  /** A member not heard of for this long has left (it died without a rebalance yet, or left). */
  static final long EXPIRY_MILLIS = 35_000;

  private final String topic;
  private final String nodeId;
  private final String address;
  private final KafkaProducer<String, byte[]> producer;
  private final Supplier<KafkaConsumer<String, byte[]>> reader;
  private final Supplier<Set<Integer>> owned;
  private final Clock clock;
  private final Counter badRecords;
  private final Membership membership = new Membership(EXPIRY_MILLIS);
  private final Thread thread;
  private volatile boolean running = true;

  /** When this node last described itself; 0: describe it again now. */
  private volatile long describedAt;

  /** The group's generation as the node's consumer last knew it. */
  private volatile int generation = -1;

  ClusterMembers(
      String topic,
      String nodeId,
      String address,
      KafkaProducer<String, byte[]> producer,
      Supplier<KafkaConsumer<String, byte[]>> reader,
      Supplier<Set<Integer>> owned,
      Clock clock,
      Counter badRecords) {
    this.topic = topic;
    this.nodeId = nodeId;
    this.address = address;
    this.producer = producer;
    this.reader = reader;
    this.owned = owned;
    this.clock = clock;
    this.badRecords = badRecords;
    this.thread = new Thread(this::run, "rollguard-cluster-members");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** The group's generation, as the consumer knows it now (after a poll, in a rebalance). */
  void generation(int generation) {
    this.generation = generation;
  }

  /** The owned partitions or the generation changed: describe this node again at once. */
  void changed() {
    describedAt = 0;
  }

  Membership membership() {
    return membership;
  }

  /** Stops following and deletes this node's record: the others stop asking it at once. */
  void leave() {
    running = false;
    try {
      thread.join(2_000); // its last description must not follow the deletion
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      producer.send(new ProducerRecord<>(topic, nodeId, null)).get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cluster: could not say on " + topic + " that it left", e);
    }
  }

  /** Follows the topic from its beginning; a failure starts it over after a second. */
  private void run() {
    while (running) {
      try (KafkaConsumer<String, byte[]> c = reader.get()) {
        List<TopicPartition> tps = new ArrayList<>();
        c.partitionsFor(topic).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
        c.assign(tps);
        c.seekToBeginning(tps);
        while (running) {
          if (clock.monotonicTimeNanos() - describedAt
              > TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS)) {
            describe();
          }
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
            read(r);
          }
          membership.forgetBefore(clock.wallTimeMillis() - 10 * EXPIRY_MILLIS);
        }
      } catch (WakeupException e) {
        return; // closing
      } catch (RuntimeException e) {
        if (running) {
          LOG.log(Level.WARNING, "cluster: reading " + topic + " failed; again in 1 s", e);
          LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
      }
    }
  }

  private void describe() {
    describedAt = clock.monotonicTimeNanos();
    ObjectNode o =
        MAPPER
            .createObjectNode()
            .put("format", 1)
            .put("node", nodeId)
            .put("address", address)
            .put("generation", generation)
            .put("at", clock.wallTimeMillis());
    ArrayNode parts = o.putArray("partitions");
    new TreeSet<>(owned.get()).forEach(parts::add);
    try {
      producer.send(
          new ProducerRecord<>(topic, nodeId, o.toString().getBytes(StandardCharsets.UTF_8)),
          (meta, e) -> {
            if (e != null) {
              describedAt = 0; // again at the next turn
              LOG.warning(() -> "cluster: could not describe this node on " + topic + ": " + e);
            }
          });
    } catch (KafkaException e) {
      describedAt = 0;
      LOG.warning(() -> "cluster: could not describe this node on " + topic + ": " + e);
    }
  }

  /**
   * One record of the topic. Its time is the broker's (the topic appends with LogAppendTime), so a
   * node whose clock is behind does not look dead.
   */
  private void read(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      membership.remove(r.key());
      return;
    }
    try {
      JsonNode m = MAPPER.readTree(r.value());
      Set<Integer> parts = new HashSet<>();
      m.path("partitions").forEach(p -> parts.add(p.asInt()));
      long at =
          r.timestampType() == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME
              ? r.timestamp()
              : m.path("at").asLong();
      membership.put(
          new Membership.Member(
              m.path("node").asText(r.key()),
              m.path("address").asText(),
              m.path("generation").asLong(),
              parts,
              at));
    } catch (java.io.IOException | RuntimeException e) {
      badRecords.increment();
      LOG.warning(() -> "cluster: unreadable record on " + topic + ": " + e);
    }
  }
}
