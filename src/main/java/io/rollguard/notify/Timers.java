package io.rollguard.notify;

/**
 * One-shot timers on the caller's context, so that retry delays can run on virtual time in tests
 * (and in {@code replay}). Implementations run tasks on the context that set them.
 */
public interface Timers {

  /** Runs {@code task} after {@code delayMillis}; returns an id for {@link #cancel}. */
  long set(long delayMillis, Runnable task);

  void cancel(long id);
}
