package io.rollguard.clock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to. Used by tests and by the {@code test} and {@code replay}
 * commands, which run the server's evaluation code on virtual time. Wall and monotonic time advance
 * together. Thread-safe: readings and advances are atomic.
 */
public final class ManualClock implements Clock {

  private final AtomicLong wallMillis;
  private final AtomicLong monotonicNanos = new AtomicLong();

  public ManualClock(long startWallMillis) {
    this.wallMillis = new AtomicLong(startWallMillis);
  }

  @Override
  public long wallTimeMillis() {
    return wallMillis.get();
  }

  @Override
  public long monotonicTimeNanos() {
    return monotonicNanos.get();
  }

  /** Moves both clocks forward by {@code amount}; returns the new wall time in epoch millis. */
  public long advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward: " + amount);
    }
    monotonicNanos.addAndGet(amount.toNanos());
    return wallMillis.addAndGet(amount.toMillis());
  }

  /** Moves wall time to {@code epochMillis} (never backwards) and monotonic time by as much. */
  public void advanceTo(long epochMillis) {
    advance(Duration.ofMillis(epochMillis - wallMillis.get()));
  }
}
