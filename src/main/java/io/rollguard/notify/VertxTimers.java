package io.rollguard.notify;

import io.vertx.core.Vertx;

/** {@link Timers} on Vert.x timers: set from a context, they run on it. Thread-safe. */
public final class VertxTimers implements Timers {

  private final Vertx vertx;

  public VertxTimers(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public long set(long delayMillis, Runnable task) {
    return vertx.setTimer(Math.max(1, delayMillis), id -> task.run());
  }

  @Override
  public void cancel(long id) {
    vertx.cancelTimer(id);
  }
}
