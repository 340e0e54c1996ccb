package io.rollguard.incident;

import io.rollguard.alerting.AlertEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * One firing episode of one alert instance: the firing event (breach start, fire time, the values
 * that made it fire), the resolve event once it came, the receivers it was sent to, and every
 * delivery attempt. Immutable: changes make a new incident.
 */
public record Incident(
    String id,
    AlertEvent firing,
    AlertEvent resolution,
    List<String> receivers,
    List<Attempt> attempts) {

  /** At most this many attempts are kept per incident (the latest ones). */
  static final int MAX_ATTEMPTS = 200;

  /**
   * One delivery attempt: {@code status} 0 when there was no answer ({@code error} says why),
   * {@code next} what followed (delivered, a retry, giving up).
   */
  public record Attempt(
      String receiver,
      String event,
      String key,
      int attempt,
      long atMillis,
      int status,
      String error,
      long latencyMillis,
      String next,
      boolean smtp) {

    /** {@code HTTP 503}, {@code SMTP 451}, or what went wrong when there was no answer. */
    public String outcome() {
      return status == 0 ? error : (smtp ? "SMTP " : "HTTP ") + status;
    }
  }

  public boolean open() {
    return resolution == null;
  }

  public long resolvedAtMillis() {
    return resolution == null ? 0 : resolution.atMillis();
  }

  Incident resolved(AlertEvent resolve) {
    return new Incident(id, firing, resolve, receivers, attempts);
  }

  Incident withAttempt(Attempt a) {
    List<Attempt> more = new ArrayList<>(attempts);
    more.add(a);
    if (more.size() > MAX_ATTEMPTS) {
      more.remove(0);
    }
    return new Incident(id, firing, resolution, receivers, List.copyOf(more));
  }
}
