package io.rollguard.ingest;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The per-stream state cumulative inputs need (the last point of an OTLP stream, the last scrape of
 * a Prometheus histogram), shared by every event loop: bounded in count, forgotten when idle.
 * Thread-safe; the states themselves are guarded by their own monitors.
 */
final class StreamTable<S> {

  /** A state and when a point last touched it. */
  static final class Slot<S> {
    final S state;
    volatile long seenMillis;

    Slot(S state, long seenMillis) {
      this.state = state;
      this.seenMillis = seenMillis; // before it is visible: a sweep never sees it unseen
    }
  }

  private final Map<String, Slot<S>> slots = new ConcurrentHashMap<>();
  private final int max;
  private final long idleMillis;
  private volatile long lastSweepMillis;
  private volatile long forgottenBeforeMillis = Long.MIN_VALUE;

  StreamTable(int max, long idleMillis, long startedAtMillis) {
    this.max = max;
    this.idleMillis = idleMillis;
    this.lastSweepMillis = startedAtMillis;
  }

  /** The state of {@code key}, created if the cap allows; null when refused. */
  S get(String key, long nowMillis, Supplier<S> create) {
    Slot<S> s = slots.get(key);
    if (s == null) {
      boolean full = slots.size() >= max;
      // sweeps cost the whole table: at most one a second, even when full
      if ((full && nowMillis - lastSweepMillis >= 1_000) || nowMillis - lastSweepMillis > 60_000) {
        sweep(nowMillis);
        full = slots.size() >= max;
      }
      if (full) {
        return null;
      }
      s = slots.computeIfAbsent(key, k -> new Slot<>(create.get(), nowMillis));
    }
    s.seenMillis = nowMillis;
    return s.state;
  }

  /** The state of {@code key} if there is one; does not count as a use. */
  S peek(String key) {
    Slot<S> s = slots.get(key);
    return s == null ? null : s.state;
  }

  /**
   * The latest time before which idle streams were forgotten: a stream coming back with a start
   * before it may have been counted already.
   */
  long forgottenBeforeMillis() {
    return forgottenBeforeMillis;
  }

  int size() {
    return slots.size();
  }

  private void sweep(long nowMillis) {
    lastSweepMillis = nowMillis;
    long cutoff = nowMillis - idleMillis;
    boolean forgot = false;
    for (Iterator<Slot<S>> it = slots.values().iterator(); it.hasNext(); ) {
      if (it.next().seenMillis < cutoff) {
        it.remove();
        forgot = true;
      }
    }
    if (forgot) {
      forgottenBeforeMillis = Math.max(forgottenBeforeMillis, cutoff);
    }
  }
}
