package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import java.util.Locale;

/**
 * One message for one receiver about one alert transition, as kept in the outbox until delivered.
 * {@code id} orders notifications and names the outbox file; {@code repeat} counts reminders (0:
 * the first message); {@code via} is the receiver that gave up and passed it on as a fallback (null
 * otherwise). Immutable.
 */
public record Notification(
    String id,
    String receiver,
    Event event,
    int repeat,
    AlertEvent alert,
    long createdAtMillis,
    String via) {

  /** What a notification announces. */
  public enum Event {
    FIRING,
    RESOLVED,
    /** Sent to rollback receivers, once per incident. */
    ROLLBACK;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What receivers dedup on: {@code <incident_id>:<event>}, and {@code :<n>} for the n-th reminder.
   * A fallback keeps the key of the notification it stands in for.
   */
  public String idempotencyKey() {
    return alert.incidentId() + ":" + event.wireName() + (repeat > 0 ? ":" + repeat : "");
  }

  /** Notifications with the same ordering key reach a receiver in the order they were made. */
  public String orderingKey() {
    return alert.incidentId();
  }

  /** The same notification (same idempotency key, same age) addressed to {@code fallback}. */
  public Notification forFallback(String newId, String fallback) {
    return new Notification(newId, fallback, event, repeat, alert, createdAtMillis, receiver);
  }
}
