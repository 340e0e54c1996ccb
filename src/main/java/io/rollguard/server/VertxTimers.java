package io.rollguard.server;

import io.rollguard.clock.Timers;
import io.vertx.core.Vertx;

/** {@link Timers} on Vert.x timers: set from a context, they run on it. Thread-safe. */
final class VertxTimers implements Timers {

  private final Vertx vertx;

  VertxTimers(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public long set(long delayMillis, Runnable task) {
    return vertx.setTimer(Math.max(1, delayMillis), id -> task.run());
  }

  @Override
  public long every(long periodMillis, Runnable task) {
    return vertx.setPeriodic(Math.max(1, periodMillis), id -> task.run());
  }

  @Override
  public void cancel(long id) {
    vertx.cancelTimer(id);
  }
}
