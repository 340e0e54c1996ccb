package io.rollguard.clock;

/** The operating system's clock; the only class that reads it. Thread-safe and stateless. */
public final class SystemClock implements Clock {

  static final SystemClock INSTANCE = new SystemClock();

  private SystemClock() {}

  @Override
  public long wallTimeMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long monotonicTimeNanos() {
    return System.nanoTime();
  }
}
