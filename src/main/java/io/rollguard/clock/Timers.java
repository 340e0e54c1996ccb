package io.rollguard.clock;

/**
 * Timers, injected like the {@link Clock}: retry delays, reminders, evaluation ticks and request
 * deadlines run on virtual time in tests ({@link ManualTimers}) and on the event loop in the
 * server. Implementations run a task on the context that set it.
 */
public interface Timers {

  /** Runs {@code task} once after {@code delayMillis}; returns an id for {@link #cancel}. */
  long set(long delayMillis, Runnable task);

  /** Runs {@code task} every {@code periodMillis}, first after one period; an id for cancel. */
  long every(long periodMillis, Runnable task);

  void cancel(long id);
}
