package io.rollguard.history;

import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.slo.SloEngine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the evaluation decided, for the last {@code retention}: per rule instance its value,
 * threshold and state at every evaluation, with its state changes; per SLO its attainment and error
 * budget left at every evaluation. For the status page's charts and {@code GET
 * /api/v1/rules/{name}/history}.
 *
 * <p><b>Bounded.</b> A point costs 17 bytes (time, value and threshold as floats, state); points
 * are at least a second apart but for state changes, and a track holds at most {@code retention} of
 * them in a ring of at most twice the retention's seconds (rounded to a power of two), with its
 * last {@link #MAX_TRANSITIONS} state changes: however short the evaluation interval. At most
 * {@code maxTracks} rule instances have a track; one more is not recorded (counted in {@link
 * #untracked()}) until a track is free again. Each SLO has one (SLOs are few). Tracks whose last
 * point is older than {@code retention} are dropped, so instances and rules that went away free
 * their room.
 *
 * <p><b>Concurrency.</b> The rules worker records; API handlers read. Every method is synchronized;
 * reads return copies.
 */
public final class EvaluationHistory {

  /** State changes kept per track, also when older than the retention. */
  public static final int MAX_TRANSITIONS = 100;

  private static final Phase[] PHASES = Phase.values();

  /** A state change of a rule instance. */
  public record Transition(long atMillis, Phase from, Phase to) {}

  /** One rule instance's history, oldest point first; NaN where there was no data. */
  public record InstanceHistory(
      Map<String, String> labels,
      long[] times,
      float[] values,
      float[] thresholds,
      Phase[] phases,
      List<Transition> transitions) {}

  /** One SLO's history, oldest point first. */
  public record SloHistory(long[] times, float[] attainment, float[] budgetRemaining) {}

  private final long retentionMillis;
  private final int maxTracks;
  private final Map<String, Map<Map<String, String>, Track>> rules = new HashMap<>();
  private final Map<String, Track> slos = new HashMap<>();
  private int tracks;
  private long untracked;

  public EvaluationHistory(long retentionMillis, int maxTracks) {
    if (retentionMillis <= 0 || maxTracks < 0) {
      throw new IllegalArgumentException("retention must be positive, maxTracks >= 0");
    }
    this.retentionMillis = retentionMillis;
    this.maxTracks = maxTracks;
    this.maxSlots =
        Integer.highestOneBit((int) Math.min(1 << 30, retentionMillis / MIN_STEP_MILLIS)) * 2;
  }

  /** Points are at least this far apart, but for state changes. */
  static final long MIN_STEP_MILLIS = 900;

  /**
   * The most slots a track's ring takes: what the retention holds at one point a second; state
   * changes faster than that push the oldest points out early rather than grow it.
   */
  private final int maxSlots;

  public long retentionMillis() {
    return retentionMillis;
  }

  /**
   * Adds a point for every instance of every rule evaluated since its last point (a rule with
   * {@code every: 10s} gets one point per 10 s), then drops tracks older than the retention.
   */
  public synchronized void record(RuleEngine.Snapshot snapshot) {
    for (RuleEngine.RuleStatus r : snapshot.rules()) {
      long at = r.lastEvaluatedMillis();
      if (at == 0) {
        continue;
      }
      Map<Map<String, String>, Track> instances =
          rules.computeIfAbsent(r.rule().name(), k -> new LinkedHashMap<>());
      for (RuleEngine.InstanceStatus i : r.instances()) {
        Track track = instances.get(i.labels());
        if (track == null) {
          track = newTrack();
          if (track == null) {
            continue;
          }
          instances.put(i.labels(), track);
        }
        // at most one point a second (evaluation_interval may be shorter), and every change
        if (at >= track.lastMillis() + MIN_STEP_MILLIS
            || (at > track.lastMillis() && track.lastPhase() != i.phase())) {
          track.add(at, i.value(), i.threshold(), i.phase(), retentionMillis, maxSlots);
        }
      }
    }
    expire(snapshot.atMillis());
  }

  /** Adds a point per SLO as of the snapshot, then drops tracks older than the retention. */
  public synchronized void record(SloEngine.Snapshot snapshot) {
    long at = snapshot.atMillis();
    for (SloEngine.SloStatus s : snapshot.slos()) {
      // SLOs are few (one per definition in the rule files): they never wait for a free track
      Track track = slos.computeIfAbsent(s.slo().name(), k -> new Track());
      if (at >= track.lastMillis() + MIN_STEP_MILLIS) {
        track.add(
            at, s.attainment(), s.budgetRemaining(), Phase.INACTIVE, retentionMillis, maxSlots);
      }
    }
    expire(at);
  }

  /** The instances of rule {@code name} with a point in the retention; null when there is none. */
  public synchronized List<InstanceHistory> rule(String name) {
    return rule(name, Long.MIN_VALUE);
  }

  /**
   * The same, with only the points after {@code sinceMillis} (all the state changes still); null
   * when the rule has no track.
   */
  public synchronized List<InstanceHistory> rule(String name, long sinceMillis) {
    Map<Map<String, String>, Track> instances = rules.get(name);
    if (instances == null) {
      return null;
    }
    List<InstanceHistory> out = new ArrayList<>();
    instances.forEach(
        (labels, t) -> {
          int from = t.firstAfter(sinceMillis);
          out.add(
              new InstanceHistory(
                  labels,
                  t.times(from),
                  t.first(from),
                  t.second(from),
                  t.phases(from),
                  List.copyOf(t.transitions)));
        });
    return out;
  }

  /** SLO {@code name}'s points in the retention; null when there is none. */
  public synchronized SloHistory slo(String name) {
    Track t = slos.get(name);
    if (t == null) {
      return null;
    }
    return new SloHistory(t.times(0), t.first(0), t.second(0));
  }

  /** Tracks held now. */
  public synchronized int tracks() {
    return tracks;
  }

  /** Points that were not recorded because every track was taken. */
  public synchronized long untracked() {
    return untracked;
  }

  /** Approximate heap bytes the history holds (arrays and transitions). */
  public synchronized long footprintBytes() {
    long bytes = 0;
    for (Map<Map<String, String>, Track> instances : rules.values()) {
      for (Track t : instances.values()) {
        bytes += t.footprintBytes();
      }
    }
    for (Track t : slos.values()) {
      bytes += t.footprintBytes();
    }
    return bytes;
  }

  private Track newTrack() {
    if (tracks >= maxTracks) {
      untracked++;
      return null;
    }
    tracks++;
    return new Track();
  }

  private void expire(long nowMillis) {
    long cutoff = nowMillis - retentionMillis;
    for (Iterator<Map<Map<String, String>, Track>> r = rules.values().iterator(); r.hasNext(); ) {
      Map<Map<String, String>, Track> instances = r.next();
      tracks -= removeOlder(instances.values().iterator(), cutoff);
      if (instances.isEmpty()) {
        r.remove();
      }
    }
    removeOlder(slos.values().iterator(), cutoff);
  }

  private static int removeOlder(Iterator<Track> it, long cutoff) {
    int removed = 0;
    while (it.hasNext()) {
      if (it.next().lastMillis() < cutoff) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  /**
   * A ring of points that grows (doubling) up to what the retention needs and drops points older
   * than the retention as new ones come.
   */
  private static final class Track {
    long[] times = new long[16];
    float[] first = new float[16];
    float[] second = new float[16];
    byte[] phases = new byte[16];
    int head;
    int size;
    final ArrayDeque<Transition> transitions = new ArrayDeque<>();

    long lastMillis() {
      return size == 0 ? Long.MIN_VALUE / 2 : times[index(size - 1)];
    }

    /** The position (0 = oldest) of the first point after {@code millis}. */
    int firstAfter(long millis) {
      int k = 0;
      while (k < size && times[index(k)] <= millis) {
        k++;
      }
      return k;
    }

    /** The times from position {@code from} on, oldest first; {@link #first}, ... alike. */
    long[] times(int from) {
      long[] out = new long[size - from];
      for (int k = 0; k < out.length; k++) {
        out[k] = times[index(from + k)];
      }
      return out;
    }

    float[] first(int from) {
      return floats(first, from);
    }

    float[] second(int from) {
      return floats(second, from);
    }

    Phase[] phases(int from) {
      Phase[] out = new Phase[size - from];
      for (int k = 0; k < out.length; k++) {
        out[k] = PHASES[phases[index(from + k)]];
      }
      return out;
    }

    private float[] floats(float[] column, int from) {
      float[] out = new float[size - from];
      for (int k = 0; k < out.length; k++) {
        out[k] = column[index(from + k)];
      }
      return out;
    }

    Phase lastPhase() {
      return size == 0 ? null : PHASES[phases[index(size - 1)]];
    }

    int index(int k) {
      return (head + k) % times.length;
    }

    void add(long at, double a, double b, Phase phase, long retentionMillis, int maxSlots) {
      while (size > 0 && times[head] <= at - retentionMillis) {
        head = (head + 1) % times.length;
        size--;
      }
      // an instance seen for the first time was inactive before
      Phase before = size == 0 ? Phase.INACTIVE : PHASES[phases[index(size - 1)]];
      if (before != phase) {
        transitions.addLast(new Transition(at, before, phase));
        if (transitions.size() > MAX_TRANSITIONS) {
          transitions.removeFirst();
        }
      }
      if (size == times.length) {
        if (times.length >= maxSlots) {
          head = (head + 1) % times.length; // full at its bound: the oldest point goes
          size--;
        } else {
          grow();
        }
      }
      int at2 = index(size);
      times[at2] = at;
      first[at2] = (float) a;
      second[at2] = (float) b;
      phases[at2] = (byte) phase.ordinal();
      size++;
    }

    private void grow() {
      int n = times.length * 2;
      long[] t = new long[n];
      float[] f = new float[n];
      float[] s = new float[n];
      byte[] p = new byte[n];
      for (int k = 0; k < size; k++) {
        int from = index(k);
        t[k] = times[from];
        f[k] = first[from];
        s[k] = second[from];
        p[k] = phases[from];
      }
      times = t;
      first = f;
      second = s;
      phases = p;
      head = 0;
    }

    long footprintBytes() {
      return 17L * times.length + 48L * transitions.size() + 160;
    }
  }
}
