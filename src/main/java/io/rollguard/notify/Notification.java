package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import java.util.Locale;

/**
 * One message for one receiver, as kept in the outbox until delivered: about an alert transition
 * ({@code alert}), or a scheduled report ({@code report}, with {@code alert} null). {@code id}
 * orders notifications and names the outbox file; {@code repeat} counts reminders (0: the first
 * message); {@code via} is the receiver that gave up and passed it on as a fallback (null
 * otherwise). Immutable.
 */
public record Notification(
    String id,
    String receiver,
    Event event,
    int repeat,
    AlertEvent alert,
    long createdAtMillis,
    String via,
    ReportMessage report) {

  /** A notification about an alert transition. */
  public Notification(
      String id,
      String receiver,
      Event event,
      int repeat,
      AlertEvent alert,
      long createdAtMillis,
      String via) {
    this(id, receiver, event, repeat, alert, createdAtMillis, via, null);
  }

  /** A scheduled report for {@code receiver}. */
  public static Notification report(
      String id, String receiver, ReportMessage report, long createdAtMillis) {
    return new Notification(id, receiver, Event.REPORT, 0, null, createdAtMillis, null, report);
  }

  /** What a notification announces. */
  public enum Event {
    FIRING,
    RESOLVED,
    /** Sent to rollback receivers, once per incident. */
    ROLLBACK,
    /**
     * A PagerDuty change event (rollback or stage change of a rollout): on the service's timeline,
     * never a page.
     */
    CHANGE,
    /** A scheduled report ({@link Notification#report()}). */
    REPORT;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What receivers dedup on: {@code <incident_id>:<event>}, and {@code :<n>} for the n-th reminder;
   * {@code report:<name>:<slot>} for a report. A fallback keeps the key of the notification it
   * stands in for.
   */
  public String idempotencyKey() {
    if (report != null) {
      return "report:" + report.name() + ":" + report.slot();
    }
    return alert.incidentId() + ":" + event.wireName() + (repeat > 0 ? ":" + repeat : "");
  }

  /** Notifications with the same ordering key reach a receiver in the order they were made. */
  public String orderingKey() {
    return report != null ? "report:" + report.name() : alert.incidentId();
  }

  /** The incident this is about; null for a report. */
  public String incidentId() {
    return alert == null ? null : alert.incidentId();
  }

  /** The same notification (same idempotency key, same age) addressed to {@code fallback}. */
  public Notification forFallback(String newId, String fallback) {
    return new Notification(
        newId, fallback, event, repeat, alert, createdAtMillis, receiver, report);
  }
}
