package io.rollguard.ingest;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many ingest bodies may be read at once, across every event loop: a request takes a slot
 * before its body is read and gives it back on every way out (answered, refused, failed, reset,
 * timed out). Thread-safe.
 */
public final class InflightSlots {

  private final int max;
  private final AtomicInteger taken = new AtomicInteger();

  public InflightSlots(int max) {
    this.max = max;
  }

  /** Takes a slot; false (and nothing taken) when all are in use. */
  public boolean tryTake() {
    for (int n = taken.get(); n < max; n = taken.get()) {
      if (taken.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  public void release() {
    taken.decrementAndGet();
  }

  /** Slots in use now. */
  public int inUse() {
    return taken.get();
  }
}
