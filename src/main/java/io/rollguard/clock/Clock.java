package io.rollguard.clock;

/**
 * The one source of time for everything that keeps windows, evaluates rules or schedules retries.
 * Wall time ({@link #wallTimeMillis()}) stamps samples and events; monotonic time ({@link
 * #monotonicTimeNanos()}) measures durations and never jumps.
 */
public interface Clock {

  /** Epoch milliseconds, as used for sample time stamps. */
  long wallTimeMillis();

  /** A monotonic reading in nanoseconds, meaningful only as a difference of two readings. */
  long monotonicTimeNanos();

  /** The operating system's clock. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}
