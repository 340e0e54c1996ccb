package io.rollguard.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who owns which partition, as the members topic tells it (docs/cluster.md, "Reads from any node"):
 * every node publishes its HTTP address, the partitions it owns and the consumer group's generation
 * it owns them in, after every rebalance and every {@code refresh} period. A partition belongs to
 * the member that claims it in the newest generation: a node killed with its partitions still
 * claimed loses them to the survivor's newer claim at once. A member not heard of for {@code
 * expiry} is gone (a node that left without saying so). Thread-safe.
 */
public final class Membership {

  /** One node as it last described itself. */
  public record Member(
      String node, String address, long generation, Set<Integer> partitions, long atMillis) {
    public Member {
      partitions = Set.copyOf(partitions);
    }
  }

  private final Map<String, Member> members = new ConcurrentHashMap<>();
  private final long expiryMillis;

  public Membership(long expiryMillis) {
    this.expiryMillis = expiryMillis;
  }

  /** A member's newest record. */
  public void put(Member m) {
    members.put(m.node(), m);
  }

  /** A member that left (its record deleted). */
  public void remove(String node) {
    members.remove(node);
  }

  /** Forgets members last heard of before {@code cutoffMillis} (long gone: keeps the map small). */
  public void forgetBefore(long cutoffMillis) {
    members.values().removeIf(m -> m.atMillis() < cutoffMillis);
  }

  /** The owner of every claimed partition at {@code nowMillis}: the newest generation's claim. */
  public Map<Integer, Member> owners(long nowMillis) {
    Map<Integer, Member> owners = new LinkedHashMap<>();
    for (Member m : members.values()) {
      if (nowMillis - m.atMillis() > expiryMillis) {
        continue;
      }
      for (int p : m.partitions()) {
        Member other = owners.get(p);
        if (other == null
            || m.generation() > other.generation()
            || (m.generation() == other.generation() && m.atMillis() > other.atMillis())) {
          owners.put(p, m);
        }
      }
    }
    return owners;
  }

  /** The members that own at least one partition, each once, in node order. */
  public List<Member> owning(long nowMillis) {
    Map<String, Member> byNode = new java.util.TreeMap<>();
    owners(nowMillis).values().forEach(m -> byNode.put(m.node(), m));
    return new ArrayList<>(byNode.values());
  }

  /** The partitions of {@code 0..partitions-1} no member owns right now. */
  public Set<Integer> unowned(int partitions, long nowMillis) {
    Map<Integer, Member> owners = owners(nowMillis);
    Set<Integer> out = new TreeSet<>();
    for (int p = 0; p < partitions; p++) {
      if (!owners.containsKey(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Every member's record, live or not (for the API). */
  public List<Member> all() {
    return List.copyOf(members.values());
  }
}
