package io.rollguard.notify;

import io.rollguard.clock.Clock;
import io.rollguard.clock.Timers;
import io.rollguard.config.RollguardConfig;
import java.util.Map;

/**
 * Delivers one receiver's notifications: one request in flight at a time, in order per incident,
 * within the receiver's rate limit, retried as its {@link RetryPolicy} says; a {@code Retry-After}
 * pauses the whole receiver (the limit is the endpoint's, not one message's). Other receivers have
 * their own dispatchers, so one that fails never delays or repeats another.
 *
 * <p><b>Concurrency.</b> Confined to the notify context: every method, timer and callback runs on
 * it. Readers on other threads use {@link #queued()} and {@link #oldestCreatedAtMillis()}, which
 * read volatile copies.
 */
final class Dispatcher {

  /** What happens to notifications, for the incident log, the outbox and the metrics. */
  interface Listener {
    /** {@code next} says what follows: delivered, a retry, or giving up. */
    void attempted(
        Notification n, int attempt, long atMillis, RetryPolicy.Attempt result, String next);

    void delivered(Notification n, int attempts, long atMillis);

    void gaveUp(Notification n, String why, boolean deadEndpoint);
  }

  private final RollguardConfig.Receiver receiver;
  private final Format format;
  private final Transport transport;
  private final RetryPolicy policy;
  private final TokenBucket bucket;
  private final Clock clock;
  private final Timers timers;
  private final Listener listener;
  private final ReceiverQueue queue = new ReceiverQueue();
  private boolean inFlight;

  /** Set by {@link #stop}: nothing new is sent. */
  private boolean stopped;

  /** Completed when the attempt in flight settles, for {@link #stop}; null when none waits. */
  private io.vertx.core.Promise<Void> settled;

  private long pausedUntilMillis;
  private long timerId = -1;
  private long timerAtMillis = Long.MAX_VALUE;
  private volatile int queued;
  private volatile long oldestCreatedAtMillis = Long.MAX_VALUE;

  Dispatcher(
      RollguardConfig.Receiver receiver,
      Format format,
      Transport transport,
      RetryPolicy policy,
      Clock clock,
      Timers timers,
      Listener listener) {
    this.receiver = receiver;
    this.format = format;
    this.transport = transport;
    this.policy = policy;
    this.bucket = new TokenBucket(receiver.delivery().ratePerSecond(), receiver.delivery().burst());
    this.clock = clock;
    this.timers = timers;
    this.listener = listener;
  }

  void enqueue(Notification n) {
    queue.add(n, clock.wallTimeMillis());
    published();
    pump();
  }

  int queued() {
    return queued;
  }

  long oldestCreatedAtMillis() {
    return oldestCreatedAtMillis;
  }

  private void pump() {
    if (inFlight || stopped) {
      return;
    }
    long now = clock.wallTimeMillis();
    if (now < pausedUntilMillis) {
      wakeAt(pausedUntilMillis);
      return;
    }
    ReceiverQueue.Entry e = queue.next(now);
    if (e == null) {
      wakeAt(queue.nextDueMillis());
      return;
    }
    long wait = bucket.waitMillis(now);
    if (wait > 0) {
      wakeAt(now + wait);
      return;
    }
    bucket.take(now);
    send(e, now);
  }

  private void send(ReceiverQueue.Entry e, long now) {
    inFlight = true;
    e.attempts++;
    Notification n = e.notification;
    Format.Body body;
    String url;
    Map<String, String> headers;
    try {
      if (e.body == null) {
        e.body = format.render(n); // rendered once; each attempt signs it afresh
      }
      body = e.body;
      url = format.url(n, receiver.url()); // formats throw for what they cannot carry
      headers = format.headers(n, body.bytes(), now);
    } catch (RuntimeException unsendable) {
      // a notification this receiver cannot carry (never retried; the queue goes on)
      inFlight = false;
      listener.attempted(
          n,
          e.attempts,
          now,
          new RetryPolicy.Attempt(0, String.valueOf(unsendable), -1, 0),
          "gave up");
      forget(e);
      listener.gaveUp(
          n,
          "receiver '" + receiver.name() + "' cannot send it: " + unsendable.getMessage(),
          false);
      pump();
      return;
    }
    transport
        .send(url, body, headers, receiver.delivery().timeout().toMillis())
        .onComplete(ar -> settle(e, now, ar.result()));
  }

  /**
   * Sends nothing new; the future completes once the attempt in flight, if any, has settled (its
   * outcome reported to the listener), so that a graceful stop does not cut a delivery the receiver
   * already has and send it again after the restart. Call on the dispatcher's context.
   */
  io.vertx.core.Future<Void> stop() {
    stopped = true;
    if (!inFlight) {
      return io.vertx.core.Future.succeededFuture();
    }
    if (settled == null) {
      settled = io.vertx.core.Promise.promise();
    }
    return settled.future();
  }

  private void settle(ReceiverQueue.Entry e, long sentAtMillis, RetryPolicy.Attempt result) {
    inFlight = false;
    io.vertx.core.Promise<Void> waiting = settled;
    settled = null;
    decide(e, sentAtMillis, result);
    if (waiting != null) {
      waiting.complete(); // a stop waited for this attempt; its outcome is reported
    }
  }

  private void decide(ReceiverQueue.Entry e, long sentAtMillis, RetryPolicy.Attempt result) {
    Notification n = e.notification;
    long now = clock.wallTimeMillis();
    RetryPolicy.Decision decision = policy.decide(result, e.attempts, now - n.createdAtMillis());
    if (decision instanceof RetryPolicy.Retry r) {
      listener.attempted(
          n, e.attempts, sentAtMillis, result, "retry in " + r.delayMillis() + " ms");
      e.dueAtMillis = now + r.delayMillis();
      if (r.pauseReceiver()) {
        pausedUntilMillis = Math.max(pausedUntilMillis, e.dueAtMillis);
      }
    } else if (decision instanceof RetryPolicy.GiveUp g) {
      listener.attempted(n, e.attempts, sentAtMillis, result, "gave up: " + g.why());
      forget(e);
      listener.gaveUp(n, g.why(), g.deadEndpoint());
    } else {
      listener.attempted(n, e.attempts, sentAtMillis, result, "delivered");
      forget(e);
      listener.delivered(n, e.attempts, now);
    }
    pump();
  }

  private void forget(ReceiverQueue.Entry e) {
    queue.remove(e);
    published();
  }

  private void published() {
    queued = queue.size();
    oldestCreatedAtMillis = queue.oldestCreatedAtMillis();
  }

  /** Keeps one timer: the earliest moment something may need doing. */
  private void wakeAt(long atMillis) {
    if (atMillis == Long.MAX_VALUE || (timerId >= 0 && timerAtMillis <= atMillis)) {
      return;
    }
    if (timerId >= 0) {
      timers.cancel(timerId);
    }
    timerAtMillis = atMillis;
    timerId =
        timers.set(
            Math.max(1, atMillis - clock.wallTimeMillis()),
            () -> {
              timerId = -1;
              timerAtMillis = Long.MAX_VALUE;
              pump();
            });
  }
}
