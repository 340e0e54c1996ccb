package io.rollguard.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.rollguard.clock.Clock;
import io.rollguard.clock.Timers;
import io.rollguard.config.Durations;
import io.rollguard.config.RollguardConfig;
import io.rollguard.notify.Notification;
import io.rollguard.notify.Notifier;
import io.rollguard.notify.ReportMessage;
import io.rollguard.report.ReportBuilder;
import io.rollguard.report.ReportInputs;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends the scheduled reports ({@code reports:}) and renders them on demand. Every second it looks
 * for a report whose latest slot is newer than the last one sent; it renders that report (span
 * ending now) and hands it to the {@link Notifier}, which writes it to the outbox and, in the same
 * storage task, this service's record of the slot. So a restart around the scheduled time sends a
 * slot's report once: a slot recorded is never sent again, a report written but not yet recorded (a
 * crash between the two writes) is recognised in the outbox. A server down through several slots
 * sends the latest one when it is back, not each one missed. A report seen for the first time
 * starts with its next slot.
 *
 * <p><b>Concurrency.</b> {@link #check} runs on a timer, rendering on the {@code worker}; the
 * record of sent slots is guarded by this object's monitor.
 */
final class ReportService {

  private static final Logger LOG = Logger.getLogger(ReportService.class.getName());
  static final long CHECK_MILLIS = 1_000;

  private final Map<String, RollguardConfig.Report> reports = new LinkedHashMap<>();
  private final Clock clock;
  private final Timers timers;
  private final Source inputs;
  private final Notifier notifier;
  private final ReportStateStore store;
  private final WorkerExecutor worker;
  private final Map<String, ReportStateStore.Sent> sent = new LinkedHashMap<>();
  private final Set<String> sending = new HashSet<>();
  private final MeterRegistry meters;

  /** What a report is made from, as of {@code now}, for a span of {@code spanMillis}. */
  @FunctionalInterface
  interface Source {
    ReportInputs read(long now, long spanMillis);
  }

  /**
   * @param inputs what a report says (read on the worker)
   */
  ReportService(
      List<RollguardConfig.Report> reports,
      Clock clock,
      Timers timers,
      Source inputs,
      Notifier notifier,
      ReportStateStore store,
      WorkerExecutor worker,
      MeterRegistry meters) {
    reports.forEach(r -> this.reports.put(r.name(), r));
    this.meters = meters;
    this.clock = clock;
    this.timers = timers;
    this.inputs = inputs;
    this.notifier = notifier;
    this.store = store;
    this.worker = worker;
  }

  /**
   * Starts checking, from what was saved and what the outbox still holds (reports written there
   * count as sent for their slot).
   */
  void start(List<ReportStateStore.Sent> saved, List<Notification> pending) {
    synchronized (this) {
      saved.forEach(s -> sent.put(s.report(), s));
      for (Notification n : pending) {
        ReportMessage r = n.report();
        RollguardConfig.Report config = r == null ? null : reports.get(r.name());
        if (config != null) {
          long at = ZonedDateTime.parse(r.slot()).toInstant().toEpochMilli();
          ReportStateStore.Sent known = sent.get(r.name());
          if (known == null || known.slotMillis() < at) {
            sent.put(r.name(), new ReportStateStore.Sent(r.name(), at, r.slot()));
          }
        }
      }
    }
    if (!reports.isEmpty()) {
      timers.every(CHECK_MILLIS, this::check);
    }
  }

  /** The configured report named {@code name}, or null. */
  RollguardConfig.Report report(String name) {
    return reports.get(name);
  }

  /** The report {@code r} over the {@code span} before now, rendered (call on a worker). */
  ReportBuilder.Report render(RollguardConfig.Report r, Duration span) {
    long now = clock.wallTimeMillis();
    Set<ReportBuilder.Section> include = EnumSet.noneOf(ReportBuilder.Section.class);
    r.include()
        .forEach(s -> include.add(ReportBuilder.Section.valueOf(s.toUpperCase(Locale.ROOT))));
    long from = start(now, span, r.schedule().zone());
    return ReportBuilder.build(
        r.name(),
        Durations.format(span),
        from,
        now,
        r.schedule().zone(),
        include,
        inputs.read(now, now - from),
        now);
  }

  /**
   * Where a span ending at {@code now} starts: whole days are calendar days in the report's time
   * zone (a day across a DST change is 23 or 25 hours, so a daily report starts at the last one's
   * wall-clock time); anything else is that much time.
   */
  static long start(long now, Duration span, java.time.ZoneId zone) {
    if (span.toMillis() % 86_400_000L == 0) {
      return Instant.ofEpochMilli(now)
          .atZone(zone)
          .minusDays(span.toDays())
          .toInstant()
          .toEpochMilli();
    }
    return now - span.toMillis();
  }

  /** Sends every report whose latest slot has not been sent. */
  void check() {
    long now = clock.wallTimeMillis();
    for (RollguardConfig.Report r : reports.values()) {
      ZonedDateTime slot = r.schedule().latestAtOrBefore(Instant.ofEpochMilli(now));
      long slotMillis = slot.toInstant().toEpochMilli();
      ReportStateStore.Sent last;
      synchronized (this) {
        last = sent.get(r.name());
        if (last == null) {
          // first sight: the report starts with its next slot, not one already past
          sent.put(r.name(), new ReportStateStore.Sent(r.name(), slotMillis, slot.toString()));
          List<ReportStateStore.Sent> all = List.copyOf(sent.values());
          worker.executeBlocking(
              () -> {
                store.saveSent(all);
                return null;
              },
              true);
          LOG.info(
              () ->
                  "report "
                      + r.name()
                      + " ("
                      + r.schedule()
                      + "): first at "
                      + r.schedule().nextAfter(Instant.ofEpochMilli(now)));
          continue;
        }
        if (last.slotMillis() >= slotMillis || !sending.add(r.name())) {
          continue;
        }
      }
      send(r, slot, now);
    }
  }

  private void send(RollguardConfig.Report r, ZonedDateTime slot, long now) {
    ReportStateStore.Sent mark =
        new ReportStateStore.Sent(r.name(), slot.toInstant().toEpochMilli(), slot.toString());
    worker
        .executeBlocking(
            () -> {
              ReportBuilder.Report made = render(r, r.span());
              return new ReportMessage(
                  r.name(),
                  slot.toString(),
                  made.title(),
                  made.markdown(),
                  made.html(),
                  made.json());
            },
            false)
        .compose(
            message ->
                notifier.submitReport(
                    message,
                    r.receivers(),
                    () -> {
                      // on the storage thread, in order with other reports' steps: each saves
                      // what the ones before it recorded
                      List<ReportStateStore.Sent> all;
                      ReportStateStore.Sent before;
                      synchronized (this) {
                        before = sent.put(r.name(), mark);
                        all = new ArrayList<>(sent.values());
                      }
                      try {
                        store.saveSent(all);
                      } catch (Exception e) {
                        synchronized (this) {
                          if (before == null) {
                            sent.remove(r.name());
                          } else {
                            sent.put(r.name(), before);
                          }
                        }
                        throw e;
                      }
                    }))
        .onComplete(
            ar -> {
              synchronized (this) {
                sending.remove(r.name());
              }
              Counter.builder("rollguard.reports")
                  .description("Scheduled reports written to the outbox (sent) or not (failed)")
                  .tag("report", r.name())
                  .tag("outcome", ar.succeeded() ? "sent" : "failed")
                  .register(meters)
                  .increment();
              if (ar.succeeded()) {
                LOG.info(
                    () ->
                        "report "
                            + r.name()
                            + " for "
                            + slot
                            + " sent to "
                            + r.receivers()
                            + (now - mark.slotMillis() > 60_000
                                ? " ("
                                    + Durations.format(
                                        Duration.ofSeconds((now - mark.slotMillis()) / 1_000))
                                    + " late)"
                                : ""));
              } else {
                LOG.log(
                    Level.SEVERE,
                    "report " + r.name() + " for " + slot + " failed; tried again in a second",
                    ar.cause());
              }
            });
  }
}
