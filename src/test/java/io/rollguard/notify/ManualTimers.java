package io.rollguard.notify;

import io.rollguard.clock.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Timers on a {@link ManualClock}: nothing runs until {@link #advance} moves the clock past a
 * timer's due time. Confined to the test's Vert.x context, like the dispatcher it serves.
 */
final class ManualTimers implements Timers {

  private record Pending(long id, long dueAtMillis, Runnable task) {}

  private final ManualClock clock;
  private final List<Pending> pending = new ArrayList<>();
  private long nextId;

  ManualTimers(ManualClock clock) {
    this.clock = clock;
  }

  @Override
  public long set(long delayMillis, Runnable task) {
    long id = nextId++;
    pending.add(new Pending(id, clock.wallTimeMillis() + delayMillis, task));
    return id;
  }

  @Override
  public void cancel(long id) {
    pending.removeIf(p -> p.id() == id);
  }

  /** How long until the next timer is due; -1 when none is set. */
  long nextDelayMillis() {
    return pending.stream()
        .mapToLong(p -> p.dueAtMillis() - clock.wallTimeMillis())
        .min()
        .orElse(-1);
  }

  /** Moves the clock on and runs every timer that fell due, earliest first. */
  void advance(long millis) {
    clock.advance(Duration.ofMillis(millis));
    List<Pending> due = new ArrayList<>();
    for (Pending p : pending) {
      if (p.dueAtMillis() <= clock.wallTimeMillis()) {
        due.add(p);
      }
    }
    pending.removeAll(due);
    due.sort(Comparator.comparingLong(Pending::dueAtMillis));
    due.forEach(p -> p.task().run());
  }
}
