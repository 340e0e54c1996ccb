package io.rollguard.notify;

import io.micrometer.core.instrument.MeterRegistry;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.clock.Clock;
import io.rollguard.clock.Timers;
import io.rollguard.config.RollguardConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns alert transitions into notifications and sees them delivered (SPEC 4): routes each firing
 * or resolve to the rule's {@code notify} receivers, else to the {@code routes} of its severity,
 * else (nothing configured) to the console; makes it durable in the {@link Outbox} before anything
 * is sent; hands it to the receiver's {@link Dispatcher}; passes what a receiver gave up on to its
 * {@code fallback}; and sends {@code repeat_interval} reminders while an incident fires. Rollback
 * receivers get one {@code rollback} event per incident and nothing else.
 *
 * <p><b>Concurrency.</b> {@link #submit} may be called from any thread. Dispatchers, reminders and
 * the {@link Observer} run on one Vert.x context of the notifier's own; outbox I/O runs on the
 * {@code storage} worker executor, which must be ordered (one thread), so that a notification is on
 * disk before it is sent and settled on disk after.
 */
public final class Notifier {

  private static final Logger LOG = Logger.getLogger(Notifier.class.getName());
  private static final long REMINDER_CHECK_MILLIS = 1_000;

  /** Sees every alert routed and every attempt made, on the notifier's context. */
  public interface Observer {
    void routed(AlertEvent alert, List<String> receivers);

    void attempted(
        Notification n, int attempt, long atMillis, RetryPolicy.Attempt result, String next);
  }

  private final Vertx vertx;
  private final Context context;
  private final Clock clock;
  private final WorkerExecutor storage;
  private final Outbox outbox;
  private final Observer observer;
  private final Map<String, RollguardConfig.Receiver> receivers = new LinkedHashMap<>();
  private final Routing routing;
  private final Map<String, Dispatcher> dispatchers = new LinkedHashMap<>();
  private final NotifyMetrics metrics;
  private final Reminders reminders;
  private final Timers timers;
  private final AtomicLong sequence = new AtomicLong();
  private final HttpClientAgent http;
  private final List<MailTransport> mail = new ArrayList<>();

  /**
   * Durable and not yet settled (delivered, given up or passed on), by id: what a peer re-sends.
   */
  private final Map<String, Notification> unsettled =
      new java.util.concurrent.ConcurrentHashMap<>();

  public Notifier(
      Vertx vertx,
      RollguardConfig config,
      Links links,
      Clock clock,
      DoubleSupplier jitter,
      Timers timers,
      WorkerExecutor storage,
      Outbox outbox,
      Observer observer,
      MeterRegistry meters) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.clock = clock;
    this.storage = storage;
    this.outbox = outbox;
    this.observer = observer;
    this.timers = timers;
    this.metrics = new NotifyMetrics(meters);
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    this.routing = new Routing(config, links);
    receivers.putAll(routing.receivers());
    this.reminders = new Reminders(receivers);
    HttpTransport httpTransport = new HttpTransport(http, clock);
    LogTransport logTransport = new LogTransport();
    for (RollguardConfig.Receiver r : receivers.values()) {
      Dispatcher d =
          new Dispatcher(
              r,
              routing.format(r.name()),
              transport(r, httpTransport, logTransport),
              new RetryPolicy(r.delivery(), jitter),
              clock,
              timers,
              listener(r));
      dispatchers.put(r.name(), d);
      metrics.watch(r.name(), d, clock);
    }
  }

  /**
   * Starts delivering what the outbox still held ({@code pending}, from {@link Outbox#load}) and
   * resumes the reminders of {@code openIncidents} (the firing events of incidents still open, with
   * the receivers they went to).
   */
  public Future<Void> start(
      List<Notification> pending, Map<AlertEvent, List<String>> openIncidents) {
    for (Notification n : pending) {
      sequence.accumulateAndGet(sequenceOf(n.id()), Math::max);
    }
    return runOnContext(
        () -> {
          long now = clock.wallTimeMillis();
          openIncidents.forEach((a, names) -> reminders.open(a, names, now));
          pending.forEach(this::dispatch);
          timers.every(REMINDER_CHECK_MILLIS, this::remind);
          return null;
        });
  }

  /**
   * Routes the transitions and makes their notifications durable, then sends them; the future
   * completes once they are on disk, and fails (nothing sent, nothing remembered) when they could
   * not be written.
   */
  public Future<List<Notification>> submit(List<AlertEvent> events) {
    long now = clock.wallTimeMillis();
    List<Notification> made = new ArrayList<>();
    Map<AlertEvent, List<String>> routed = new LinkedHashMap<>();
    for (AlertEvent e : events) {
      if (e.kind() == AlertEvent.Kind.PENDING) {
        continue;
      }
      List<String> names = routing.route(e);
      routed.put(e, names);
      for (String name : names) {
        made.addAll(notifications(e, name, 0, now));
      }
    }
    if (routed.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return persist(made)
        .compose(
            durable ->
                runOnContext(
                    () -> {
                      routed.forEach(
                          (e, names) -> {
                            if (e.kind() == AlertEvent.Kind.CHANGED) {
                              return; // a stage change: no incident, nothing to remind of
                            }
                            observer.routed(e, names);
                            if (e.kind() == AlertEvent.Kind.FIRING) {
                              reminders.open(e, names, now);
                            } else {
                              reminders.close(e.incidentId());
                            }
                          });
                      durable.forEach(this::dispatch);
                      return durable;
                    }));
  }

  /** Something written on the storage worker together with a report's notifications. */
  @FunctionalInterface
  public interface DurableStep {
    void run() throws Exception;
  }

  /**
   * Sends a report to {@code receivers}: its notifications are written to the outbox and then, in
   * the same storage task, {@code alsoDurably} runs (the report service records the slot as sent
   * there), so a crash leaves either both or the outbox alone, never the slot without its report.
   * The future completes once both are on disk. Receivers no longer configured are skipped.
   */
  public Future<List<Notification>> submitReport(
      ReportMessage report, List<String> receivers, DurableStep alsoDurably) {
    long now = clock.wallTimeMillis();
    List<Notification> made = new ArrayList<>();
    for (String name : receivers) {
      if (dispatchers.containsKey(name)) {
        made.add(Notification.report(nextId(now), name, report, now));
      } else {
        LOG.warning(() -> "report " + report.name() + " names unknown receiver '" + name + "'");
      }
    }
    return persist(made, alsoDurably).onSuccess(this::dispatchOnContext);
  }

  /**
   * Stops sending, lets the attempts in flight settle (each within its receiver's timeout) and
   * their outcomes reach the outbox, then closes the receivers' connections: a graceful stop does
   * not deliver again after the restart what a receiver already took.
   */
  public Future<Void> close() {
    Promise<Void> drained = Promise.promise();
    context.runOnContext(
        v -> {
          List<Future<Void>> idle = new ArrayList<>();
          dispatchers.values().forEach(d -> idle.add(d.stop()));
          Future.all(idle).onComplete(ar -> drained.complete());
        });
    return drained
        .future()
        .compose(v -> storage.executeBlocking(() -> null, true)) // after the outbox updates queued
        .transform(
            ar -> {
              mail.forEach(MailTransport::close);
              return http.close();
            });
  }

  private Transport transport(
      RollguardConfig.Receiver r, HttpTransport httpTransport, LogTransport logTransport) {
    return switch (r.type()) {
      case Routing.CONSOLE -> logTransport;
      case "email" -> {
        MailTransport m =
            new MailTransport(vertx, r.email(), r.delivery().timeout().toMillis(), clock);
        mail.add(m);
        yield m;
      }
      default -> httpTransport;
    };
  }

  private List<Notification> notifications(AlertEvent e, String receiver, int repeat, long now) {
    return routing.notifications(e, receiver, repeat, () -> nextId(now), now);
  }

  private void remind() {
    long now = clock.wallTimeMillis();
    List<Notification> due = new ArrayList<>();
    for (Reminders.Due d : reminders.due(now)) {
      due.addAll(notifications(d.alert(), d.receiver(), d.repeat(), now));
    }
    if (!due.isEmpty()) {
      persist(due).onSuccess(this::dispatchOnContext);
    }
  }

  /** Makes notifications durable in the outbox (on the storage worker); they are not sent yet. */
  private Future<List<Notification>> persist(List<Notification> made) {
    return persist(made, () -> {});
  }

  /**
   * Writes {@code made} to the outbox and then runs {@code alsoDurably} in the same storage task;
   * when that fails, the notifications are taken out again (both or neither).
   */
  private Future<List<Notification>> persist(List<Notification> made, DurableStep alsoDurably) {
    return storage
        .executeBlocking(
            () -> {
              outbox.add(made);
              try {
                alsoDurably.run();
              } catch (Exception e) {
                for (Notification n : made) { // the next try writes them again
                  try {
                    outbox.remove(n);
                  } catch (java.io.IOException ignored) {
                    e.addSuppressed(ignored);
                  }
                }
                throw e;
              }
              return made;
            },
            true)
        .onFailure(t -> LOG.log(Level.SEVERE, "could not write notifications to the outbox", t));
  }

  private void dispatchOnContext(List<Notification> durable) {
    context.runOnContext(v -> durable.forEach(this::dispatch));
  }

  /**
   * Cluster mode: what is durable and not yet settled, oldest first; the owner of a key writes it
   * to the state topic so that a node taking the key over sends what this one could not.
   */
  public List<Notification> unsettled() {
    List<Notification> out = new ArrayList<>(unsettled.values());
    out.sort(java.util.Comparator.comparing(Notification::id));
    return out;
  }

  /**
   * Cluster mode: takes over notifications another node made durable but did not settle (it died or
   * lost the key): written to this node's outbox, then sent with their own idempotency keys. One
   * already unsettled here (same key, same receiver) is not taken twice.
   */
  public Future<List<Notification>> adopt(List<Notification> others) {
    java.util.Set<String> known = new java.util.HashSet<>();
    unsettled.values().forEach(n -> known.add(n.idempotencyKey() + "|" + n.receiver()));
    List<Notification> fresh = new ArrayList<>();
    for (Notification n : others) {
      if (known.add(n.idempotencyKey() + "|" + n.receiver())) {
        sequence.accumulateAndGet(sequenceOf(n.id()), Math::max);
        fresh.add(n);
      }
    }
    if (fresh.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return persist(fresh).onSuccess(this::dispatchOnContext);
  }

  private void dispatch(Notification n) {
    unsettled.put(n.id(), n);
    Dispatcher d = dispatchers.get(n.receiver());
    if (d == null) {
      LOG.warning(
          () ->
              "notification "
                  + n.idempotencyKey()
                  + " is for receiver '"
                  + n.receiver()
                  + "', which is no longer configured; dropped");
      settle(n, null);
      return;
    }
    d.enqueue(n);
  }

  private Dispatcher.Listener listener(RollguardConfig.Receiver r) {
    return new Dispatcher.Listener() {
      @Override
      public void attempted(
          Notification n, int attempt, long atMillis, RetryPolicy.Attempt result, String next) {
        metrics.attempt(r.name(), result);
        observer.attempted(n, attempt, atMillis, result, next);
      }

      @Override
      public void delivered(Notification n, int attempts, long atMillis) {
        metrics.outcome(r.name(), "delivered");
        metrics.delivered(r.name(), atMillis - n.createdAtMillis());
        settle(n, null);
      }

      @Override
      public void gaveUp(Notification n, String why, boolean deadEndpoint) {
        metrics.outcome(r.name(), deadEndpoint ? "dead_endpoint" : "gave_up");
        LOG.severe(
            () ->
                "receiver '"
                    + r.name()
                    + "' "
                    + (deadEndpoint ? "looks gone (fix or remove it)" : "failed")
                    + ": "
                    + n.idempotencyKey()
                    + " not delivered: "
                    + why
                    + (r.fallback() == null ? "" : "; passed to fallback '" + r.fallback() + "'"));
        Notification passed = null;
        RollguardConfig.Receiver fallback =
            r.fallback() == null ? null : receivers.get(r.fallback());
        if (fallback != null && Routing.canTake(fallback, n)) {
          metrics.outcome(r.name(), "fallback");
          passed = n.forFallback(nextId(clock.wallTimeMillis()), r.fallback());
        } else if (fallback != null) {
          LOG.severe(
              () ->
                  "fallback '"
                      + fallback.name()
                      + "' cannot take "
                      + n.idempotencyKey()
                      + " (a "
                      + n.event().wireName()
                      + " for a "
                      + fallback.type()
                      + " receiver); not passed on");
        }
        settle(n, passed);
      }
    };
  }

  /**
   * Removes a settled notification from the outbox, after writing its fallback (if any): the
   * storage worker is ordered, so the fallback is on disk before the original is gone.
   */
  private void settle(Notification done, Notification fallback) {
    unsettled.remove(done.id());
    if (fallback != null) {
      persist(List.of(fallback)).onSuccess(this::dispatchOnContext);
    }
    storage
        .executeBlocking(
            () -> {
              outbox.remove(done);
              return null;
            },
            true)
        .onFailure(t -> LOG.log(Level.SEVERE, "could not update the outbox", t));
  }

  private <T> Future<T> runOnContext(Callable<T> task) {
    Promise<T> p = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            p.complete(task.call());
          } catch (Exception e) {
            p.fail(e);
          }
        });
    return p.future();
  }

  private String nextId(long nowMillis) {
    return String.format(Locale.ROOT, "%013d-%09d", nowMillis, sequence.incrementAndGet());
  }

  private static long sequenceOf(String id) {
    int dash = id.indexOf('-');
    try {
      return dash < 0 ? 0 : Long.parseLong(id.substring(dash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
