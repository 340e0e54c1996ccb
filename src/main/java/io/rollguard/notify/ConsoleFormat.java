package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import java.nio.charset.StandardCharsets;

/** The console receiver's text: what an SRE reads in the log. Immutable. */
final class ConsoleFormat implements Format {

  @Override
  public Body render(Notification n) {
    if (n.report() != null) {
      return new Body(
          ("REPORT " + n.report().title() + "\n" + n.report().markdown())
              .getBytes(StandardCharsets.UTF_8),
          "text/plain");
    }
    AlertEvent a = n.alert();
    StringBuilder sb =
        new StringBuilder()
            .append(NotificationText.status(n))
            .append(' ')
            .append(a.rule())
            .append(' ')
            .append(NotificationText.labels(a.labels()))
            .append(" severity=")
            .append(a.severity().wireName())
            .append(" incident=")
            .append(a.incidentId())
            .append("\n  when: ")
            .append(a.expr())
            .append(" over ")
            .append(a.window())
            .append("\n  value: ")
            .append(a.valueText())
            .append(' ')
            .append(a.threshold())
            .append("\n  why: ")
            .append(a.reason());
    a.readings().forEach(r -> sb.append("\n  ").append(NotificationText.reading(r)));
    a.annotations().forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
    return new Body(sb.toString().getBytes(StandardCharsets.UTF_8), "text/plain");
  }
}
