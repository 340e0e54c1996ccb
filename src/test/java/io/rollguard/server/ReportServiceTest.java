package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.clock.ManualClock;
import io.rollguard.clock.ManualTimers;
import io.rollguard.config.RollguardConfig;
import io.rollguard.notify.Links;
import io.rollguard.notify.Notification;
import io.rollguard.notify.Notifier;
import io.rollguard.notify.Outbox;
import io.rollguard.notify.RetryPolicy;
import io.rollguard.report.ReportInputs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled reports on virtual time, through the real notifier and outbox to a real webhook
 * receiver: one report per slot, across a day boundary, a DST change and restarts (including a
 * crash between writing the report to the outbox and recording its slot).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ReportServiceTest {

  @TempDir Path dir;

  private final ManualClock clock =
      new ManualClock(
          ZonedDateTime.parse("2026-10-24T08:59:58+02:00[Europe/Paris]")
              .toInstant()
              .toEpochMilli());
  private RecordingReceiver receiver;
  private WorkerExecutor storage;
  private Notifier notifier;
  private final AtomicInteger answer = new AtomicInteger(204);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    if (storage != null) {
      storage.close();
    }
  }

  private RollguardConfig config() throws Exception {
    return TestServers.config(
        dir,
        "receivers:\n  team: {type: webhook, url: "
            + receiver.url("/reports")
            + ", max_attempts: 1}\n"
            + "reports:\n"
            + "  - {name: daily, schedule: daily at 09:00, time_zone: Europe/Paris,"
            + " receivers: [team]}\n");
  }

  /** A fresh notifier and report service on the data directory, as after a (re)start. */
  private Future<ReportService> start(Vertx vertx) {
    try {
      return startOrThrow(vertx);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Future<ReportService> startOrThrow(Vertx vertx) throws Exception {
    RollguardConfig config = config();
    if (storage == null) {
      storage = vertx.createSharedWorkerExecutor("report-test-storage", 1);
    }
    Outbox outbox = new Outbox(dir.resolve("outbox"));
    List<Notification> pending = outbox.load();
    notifier =
        new Notifier(
            vertx,
            config,
            new Links("http://rg.test"),
            clock,
            () -> 0.5,
            new ManualTimers(clock),
            storage,
            outbox,
            new Notifier.Observer() {
              @Override
              public void routed(AlertEvent alert, List<String> receivers) {}

              @Override
              public void attempted(
                  Notification n, int attempt, long at, RetryPolicy.Attempt r, String next) {}
            },
            new SimpleMeterRegistry());
    ReportStateStore store = new ReportStateStore(dir);
    ReportService service =
        new ReportService(
            config.reports(),
            clock,
            new ManualTimers(clock),
            (now, span) -> new ReportInputs(List.of(), List.of(), List.of(), List.of()),
            notifier,
            store,
            storage,
            meters);
    List<ReportStateStore.Sent> saved = store.loadSent();
    return notifier
        .start(pending, java.util.Map.of())
        .map(
            v -> {
              service.start(saved, pending);
              return service;
            });
  }

  /** Checks once, then waits (real time, briefly) until the outbox holds no report in flight. */
  private Future<Void> check(Vertx vertx, ReportService s) {
    s.check();
    return settle(vertx, 40);
  }

  private Future<Void> settle(Vertx vertx, int left) {
    return vertx
        .timer(50)
        .compose(
            t ->
                storage.executeBlocking(
                    () -> {
                      try (var files = Files.list(dir.resolve("outbox"))) {
                        return files.filter(p -> p.toString().endsWith(".json")).count();
                      }
                    }))
        .compose(n -> n == 0 || left == 0 ? vertx.timer(100).mapEmpty() : settle(vertx, left - 1));
  }

  private List<String> slots() {
    return receiver.at("/reports").stream().map(g -> g.json().getString("slot")).toList();
  }

  private Future<Void> verify(VertxTestContext test, Runnable checks) {
    try {
      checks.run();
      return Future.succeededFuture();
    } catch (AssertionError e) {
      test.failNow(e);
      return Future.failedFuture(e);
    }
  }

  private Future<Void> stepTo(Vertx vertx, ReportService s, String zoned) {
    clock.advanceTo(ZonedDateTime.parse(zoned).toInstant().toEpochMilli());
    return check(vertx, s);
  }

  private Future<Void> step(Vertx vertx, ReportService s, Duration by) {
    clock.advance(by);
    return check(vertx, s);
  }

  @Test
  void oneReportPerSlotAcrossADayADstChangeAndARestart(Vertx vertx, VertxTestContext test)
      throws Exception {
    Supplier<Future<ReportService>> restart = () -> notifier.close().compose(v -> start(vertx));
    RecordingReceiver.start(vertx)
        .compose(
            r -> {
              receiver = r;
              return start(vertx);
            })
        // 08:59:58: first sight, the report starts with its next slot
        .compose(s -> check(vertx, s).map(s))
        .compose(s -> verify(test, () -> assertThat(slots()).isEmpty()).map(s))
        // 09:00:00 the slot: sent once however often it is checked
        .compose(s -> step(vertx, s, Duration.ofSeconds(2)).map(s))
        .compose(s -> step(vertx, s, Duration.ofSeconds(1)).map(s))
        .compose(s -> step(vertx, s, Duration.ofMinutes(30)).map(s))
        .compose(
            s ->
                verify(
                        test,
                        () ->
                            assertThat(slots())
                                .containsExactly("2026-10-24T09:00+02:00[Europe/Paris]"))
                    .map(s))
        // a restart at 09:31 does not send it again
        .compose(s -> restart.get())
        .compose(s -> check(vertx, s).map(s))
        .compose(s -> verify(test, () -> assertThat(slots()).hasSize(1)).map(s))
        // the clocks go back at 03:00 on the 25th: the next slot is 25 h after the last
        .compose(s -> stepTo(vertx, s, "2026-10-25T08:59:59+01:00[Europe/Paris]").map(s))
        .compose(s -> verify(test, () -> assertThat(slots()).hasSize(1)).map(s))
        .compose(s -> stepTo(vertx, s, "2026-10-25T09:00:00+01:00[Europe/Paris]").map(s))
        .onComplete(
            test.succeeding(
                s ->
                    test.verify(
                        () -> {
                          assertThat(slots())
                              .containsExactly(
                                  "2026-10-24T09:00+02:00[Europe/Paris]",
                                  "2026-10-25T09:00+01:00[Europe/Paris]");
                          var body = receiver.at("/reports").get(1).json();
                          assertThat(body.getString("event")).isEqualTo("report");
                          assertThat(body.getString("id"))
                              .isEqualTo("report:daily:2026-10-25T09:00+01:00[Europe/Paris]");
                          assertThat(body.getString("title"))
                              .isEqualTo(
                                  "Rollguard report daily: 2026-10-24 09:00 to 2026-10-25 09:00"
                                      + " (Europe/Paris)");
                          assertThat(body.getJsonObject("report").getString("span"))
                              .isEqualTo("1d");
                          assertThat(
                                  meters
                                      .get("rollguard.reports")
                                      .tag("report", "daily")
                                      .tag("outcome", "sent")
                                      .counter()
                                      .count())
                              .isEqualTo(2.0);
                          test.completeNow();
                        })));
  }

  @Test
  void aCrashBetweenTheOutboxAndTheSlotRecordSendsTheReportOnce(Vertx vertx, VertxTestContext test)
      throws Exception {
    // the receiver is down at first: the report stays in the outbox
    RecordingReceiver.start(vertx, (path, resp) -> resp.setStatusCode(answer.get()).end())
        .compose(
            r -> {
              receiver = r;
              answer.set(503);
              return start(vertx);
            })
        .compose(s -> check(vertx, s).map(s)) // first sight at 08:59:58
        .compose(
            s -> {
              try {
                Files.copy(
                    dir.resolve("state/reports.json"), dir.resolve("reports-before-the-slot.json"));
              } catch (Exception e) {
                return Future.failedFuture(e);
              }
              clock.advance(Duration.ofSeconds(3));
              s.check(); // 09:00:01: written to the outbox and the slot recorded
              return settle(vertx, 10).map(s);
            })
        .compose(
            s -> {
              try {
                // the crash came between the two writes: the slot record is the old one
                Files.copy(
                    dir.resolve("reports-before-the-slot.json"),
                    dir.resolve("state/reports.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                answer.set(204);
                return notifier.close().compose(v -> start(vertx));
              } catch (Exception e) {
                return Future.failedFuture(e);
              }
            })
        .compose(s -> step(vertx, s, Duration.ofSeconds(5)).map(s))
        .compose(s -> step(vertx, s, Duration.ofSeconds(5)).map(s))
        .onComplete(
            test.succeeding(
                s ->
                    test.verify(
                        () -> {
                          // one 503, then the same report delivered from the outbox; no second
                          List<String> ids =
                              receiver.at("/reports").stream()
                                  .map(g -> g.json().getString("id"))
                                  .distinct()
                                  .toList();
                          assertThat(ids)
                              .containsExactly("report:daily:2026-10-24T09:00+02:00[Europe/Paris]");
                          assertThat(receiver.at("/reports")).hasSize(2);
                          test.completeNow();
                        })));
  }
}
