package io.rollguard.notify;

import io.rollguard.clock.ManualClock;
import io.rollguard.clock.ManualTimers;
import io.rollguard.config.RollguardConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One receiver's {@link Dispatcher} with the real HTTP transport, on virtual time: retry delays
 * pass only when the test calls {@link #advance}. Everything runs on one Vert.x context; {@link
 * #next} waits for what the dispatcher reports ("attempt 1: HTTP 429 -> retry in 7000 ms",
 * "delivered after 2 attempts", "gave up: ...").
 */
final class DeliveryHarness implements Dispatcher.Listener {

  final ManualClock clock = new ManualClock(Alerts.T0);
  final ManualTimers timers = new ManualTimers(clock);
  private final Context context;
  private final Dispatcher dispatcher;
  private final List<String> reports = new ArrayList<>();
  private int read;
  private Promise<String> waiting;
  private Predicate<String> waitingFor;

  DeliveryHarness(Vertx vertx, RollguardConfig.Receiver receiver) {
    this(vertx, receiver, null);
  }

  /** With {@code transport} (null: the real HTTP transport on the harness's clock). */
  DeliveryHarness(Vertx vertx, RollguardConfig.Receiver receiver, Transport transport) {
    this.context = vertx.getOrCreateContext();
    this.dispatcher =
        new Dispatcher(
            receiver,
            Format.of(receiver, Alerts.LINKS),
            transport != null ? transport : new HttpTransport(vertx.createHttpClient(), clock),
            new RetryPolicy(receiver.delivery(), () -> 0.5),
            clock,
            timers,
            this);
  }

  Future<Void> send(Notification n) {
    return onContext(() -> dispatcher.enqueue(n));
  }

  /** Moves virtual time on by {@code millis}, running the timers that fall due. */
  Future<Void> advance(long millis) {
    return onContext(() -> timers.advance(millis));
  }

  /** How long until the dispatcher's next timer; -1 without one. */
  Future<Long> nextDelayMillis() {
    Promise<Long> p = Promise.promise();
    context.runOnContext(v -> p.complete(timers.nextDelayMillis()));
    return p.future();
  }

  /** The next report that starts with {@code prefix} (earlier other reports are skipped). */
  Future<String> next(String prefix) {
    Promise<String> p = Promise.promise();
    context.runOnContext(
        v -> {
          waiting = p;
          waitingFor = r -> r.startsWith(prefix);
          deliver();
        });
    return p.future();
  }

  @Override
  public void attempted(
      Notification n, int attempt, long atMillis, RetryPolicy.Attempt result, String next) {
    report("attempt " + attempt + ": " + result.describe() + " -> " + next);
  }

  @Override
  public void delivered(Notification n, int attempts, long atMillis) {
    report("delivered after " + attempts + (attempts == 1 ? " attempt" : " attempts"));
  }

  @Override
  public void gaveUp(Notification n, String why, boolean deadEndpoint) {
    report("gave up" + (deadEndpoint ? " (dead endpoint)" : "") + ": " + why);
  }

  private void report(String r) {
    reports.add(r);
    deliver();
  }

  private void deliver() {
    while (waiting != null && read < reports.size()) {
      String r = reports.get(read++);
      if (waitingFor.test(r)) {
        Promise<String> p = waiting;
        waiting = null;
        p.complete(r);
      }
    }
  }

  private Future<Void> onContext(Runnable r) {
    Promise<Void> p = Promise.promise();
    context.runOnContext(
        v -> {
          r.run();
          p.complete();
        });
    return p.future();
  }
}
