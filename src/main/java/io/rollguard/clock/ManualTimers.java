package io.rollguard.clock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@link Timers} on a {@link ManualClock}: nothing runs until {@link #advance} moves the clock past
 * a timer's due time; a periodic timer then runs once per period it passed. Not thread-safe:
 * confined to the thread (or Vert.x context) of the code it drives.
 */
public final class ManualTimers implements Timers {

  private record Pending(long id, long dueAtMillis, long periodMillis, Runnable task) {}

  private final ManualClock clock;
  private final List<Pending> pending = new ArrayList<>();
  private long nextId;

  public ManualTimers(ManualClock clock) {
    this.clock = clock;
  }

  @Override
  public long set(long delayMillis, Runnable task) {
    long id = nextId++;
    pending.add(new Pending(id, clock.wallTimeMillis() + delayMillis, 0, task));
    return id;
  }

  @Override
  public long every(long periodMillis, Runnable task) {
    if (periodMillis <= 0) {
      throw new IllegalArgumentException("a period must be positive");
    }
    long id = nextId++;
    pending.add(new Pending(id, clock.wallTimeMillis() + periodMillis, periodMillis, task));
    return id;
  }

  @Override
  public void cancel(long id) {
    pending.removeIf(p -> p.id() == id);
  }

  /** How long until the next timer is due; -1 when none is set. */
  public long nextDelayMillis() {
    return pending.stream()
        .mapToLong(p -> p.dueAtMillis() - clock.wallTimeMillis())
        .min()
        .orElse(-1);
  }

  /**
   * Moves the clock on by {@code millis} and runs every timer that fell due, earliest first, with
   * the clock standing at each one's due time.
   */
  public void advance(long millis) {
    long target = clock.wallTimeMillis() + millis;
    while (true) {
      Pending next =
          pending.stream()
              .filter(p -> p.dueAtMillis() <= target)
              .min(Comparator.comparingLong(Pending::dueAtMillis).thenComparingLong(Pending::id))
              .orElse(null);
      if (next == null) {
        break;
      }
      pending.remove(next);
      if (next.dueAtMillis() > clock.wallTimeMillis()) {
        clock.advance(Duration.ofMillis(next.dueAtMillis() - clock.wallTimeMillis()));
      }
      if (next.periodMillis() > 0) {
        pending.add(
            new Pending(
                next.id(),
                next.dueAtMillis() + next.periodMillis(),
                next.periodMillis(),
                next.task()));
      }
      next.task().run();
    }
    if (target > clock.wallTimeMillis()) {
      clock.advance(Duration.ofMillis(target - clock.wallTimeMillis()));
    }
  }

  /** Every task set and not yet run or cancelled. */
  public int pendingCount() {
    return pending.size();
  }
}
