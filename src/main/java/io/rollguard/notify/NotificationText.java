package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.AlertText;
import io.rollguard.rules.SliReading;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The words every format shares, so that all receivers tell the same story. Stateless. */
public final class NotificationText {

  private NotificationText() {}

  /** {@code FIRING}, {@code RESOLVED}, {@code ROLLBACK}, {@code FIRING (reminder 2)}. */
  static String status(Notification n) {
    String s = n.event().name();
    return n.repeat() > 0 ? s + " (reminder " + n.repeat() + ")" : s;
  }

  /**
   * One line: the annotation {@code summary} when the rule has one, else rule, value, threshold and
   * labels.
   */
  static String summary(Notification n) {
    AlertEvent a = n.alert();
    String summary = a.annotations().get("summary");
    if (summary != null && !summary.isBlank()) {
      return summary;
    }
    String labels = a.labels().isEmpty() ? "" : " " + labels(a.labels());
    if (n.event() == Notification.Event.RESOLVED) {
      return a.rule() + labels + " resolved: " + a.reason();
    }
    return a.rule() + labels + ": " + a.valueText() + " " + a.threshold();
  }

  /** {@code {service=checkout, stage=canary}}. */
  public static String labels(Map<String, String> labels) {
    return labels.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /** {@code p95 = 812.3ms (1234 samples, ±0.39%)}. */
  static String reading(SliReading r) {
    String bound =
        Double.isInfinite(r.relativeError())
            ? ", not bounded: first or last bucket"
            : r.relativeError() > 0
                ? String.format(Locale.ROOT, ", ±%.2f%%", r.relativeError() * 100)
                : "";
    return r.expr()
        + " = "
        + AlertText.format(r.type(), r.value())
        + " ("
        + r.samples()
        + " samples"
        + bound
        + ")";
  }

  /** RFC 3339 in UTC; null for 0 (not yet). */
  static String time(long epochMillis) {
    return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
  }

  /** {@code text} cut to {@code max} characters, ending in an ellipsis when cut. */
  static String cut(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    return text.substring(0, max - 1) + "…";
  }
}
