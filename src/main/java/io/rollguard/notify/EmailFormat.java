package io.rollguard.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.MessageTemplate;
import io.rollguard.config.RollguardConfig;
import io.rollguard.rules.SliReading;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An email: the subject from the receiver's template (one line: a label value can never add a
 * header), and plain-text and HTML bodies that tell what the other receivers tell (rule, value
 * against threshold, why, the SLIs with their samples and error bounds, labels, annotations, links
 * to the incident and its report). The {@code Message-ID} is made from the idempotency key, so a
 * message sent again after a crash carries the same id (mail clients and archives fold it), and a
 * resolve is a reply to its firing ({@code In-Reply-To}), so they thread. The body handed to the
 * transport is the message as JSON ({@link #CONTENT_TYPE}); {@link MailTransport} sends it.
 * Immutable.
 */
final class EmailFormat implements Format {

  static final String CONTENT_TYPE = "application/x-rollguard-email+json";

  private final RollguardConfig.Email email;
  private final Links links;
  private final String domain;

  EmailFormat(RollguardConfig.Email email, Links links) {
    this.email = email;
    this.links = links;
    String from = email.from().replaceAll(".*<|>.*", "");
    this.domain = from.substring(from.indexOf('@') + 1).strip();
  }

  @Override
  public Body render(Notification n) {
    ObjectNode o = Payloads.object().put("from", email.from());
    var to = o.putArray("to");
    email.to().forEach(to::add);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Message-ID", messageId(n.idempotencyKey()));
    headers.put("Auto-Submitted", "auto-generated"); // RFC 3834: no vacation replies
    headers.put("X-Auto-Response-Suppress", "All");
    headers.put("X-Rollguard-Idempotency-Key", MessageTemplate.oneLine(n.idempotencyKey()));
    headers.put("X-Rollguard-Event", n.event().wireName());
    if (n.report() != null) {
      ReportMessage r = n.report();
      o.put("subject", MessageTemplate.oneLine(r.title()))
          .put("text", r.markdown())
          .put("html", r.html());
    } else {
      AlertEvent a = n.alert();
      headers.put("X-Rollguard-Incident", MessageTemplate.oneLine(a.incidentId()));
      if (n.event() == Notification.Event.RESOLVED || n.repeat() > 0) {
        String firing = messageId(a.incidentId() + ":firing");
        headers.put("In-Reply-To", firing);
        headers.put("References", firing);
      }
      o.put("subject", email.subject().render(name -> placeholder(n, name)))
          .put("text", text(n))
          .put("html", html(n));
    }
    ObjectNode h = o.putObject("headers");
    headers.forEach(h::put);
    return new Body(Payloads.bytes(o), CONTENT_TYPE);
  }

  /** {@code <inc1.firing@example.com>}: the key with what a Message-ID may not hold made dots. */
  private String messageId(String key) {
    String local =
        key.replaceAll("[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+", ".").replaceAll("^\\.+|\\.+$", "");
    return "<" + (local.isEmpty() ? "rollguard" : local) + "@" + domain + ">"; // a dot-atom
  }

  private static String placeholder(Notification n, String name) {
    AlertEvent a = n.alert();
    if (name.startsWith("labels.")) {
      return a.labels().get(name.substring(7));
    }
    return switch (name) {
      case "status" -> NotificationText.status(n);
      case "rule" -> a.rule();
      case "severity" -> a.severity().wireName();
      case "summary" -> NotificationText.summary(n);
      case "value" -> a.valueText();
      case "threshold" -> a.threshold();
      case "incident" -> a.incidentId();
      case "stage" -> a.rollout() == null ? a.labels().get("stage") : a.rollout().stage();
      default -> null;
    };
  }

  private String text(Notification n) {
    AlertEvent a = n.alert();
    StringBuilder sb = new StringBuilder();
    sb.append(NotificationText.status(n)).append(": ").append(a.rule()).append('\n');
    sb.append(NotificationText.summary(n)).append("\n\n");
    sb.append("Why:       ").append(a.reason()).append('\n');
    if (!a.valueText().isEmpty()) {
      sb.append("Value:     ").append(a.valueText()).append(' ').append(a.threshold()).append('\n');
    }
    if (!a.expr().isEmpty()) {
      sb.append("Condition: ").append(a.expr()).append(" over ").append(a.window()).append('\n');
    }
    sb.append("Severity:  ").append(a.severity().wireName()).append('\n');
    if (a.rollout() != null) {
      sb.append("Rollout:   ")
          .append(a.rollout().name())
          .append(" at stage ")
          .append(a.rollout().stage())
          .append('\n');
    }
    sb.append("Incident:  ").append(a.incidentId()).append('\n');
    if (!a.readings().isEmpty()) {
      sb.append("\nSLIs:\n");
      for (SliReading r : a.readings()) {
        sb.append("  - ").append(NotificationText.reading(r)).append('\n');
      }
    }
    if (!a.labels().isEmpty()) {
      sb.append("\nLabels:\n");
      a.labels().forEach((k, v) -> sb.append("  ").append(k).append(" = ").append(v).append('\n'));
    }
    if (!a.annotations().isEmpty()) {
      sb.append("\nAnnotations:\n");
      a.annotations()
          .forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
    }
    sb.append("\nIncident timeline:   ").append(links.incident(a.incidentId())).append('\n');
    sb.append("Postmortem skeleton: ").append(links.report(a.incidentId())).append('\n');
    sb.append("\n-- \nSent by Rollguard; idempotency key ").append(n.idempotencyKey()).append('\n');
    return sb.toString();
  }

  private String html(Notification n) {
    AlertEvent a = n.alert();
    String colour =
        switch (n.event()) {
          case RESOLVED -> "#1a7f37";
          case ROLLBACK -> "#8250df";
          default -> "#cf222e";
        };
    StringBuilder sb =
        new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
    sb.append("<h2 style=\"color:")
        .append(colour)
        .append("\">")
        .append(esc(NotificationText.status(n)))
        .append(": ")
        .append(esc(a.rule()))
        .append("</h2><p><strong>")
        .append(esc(NotificationText.summary(n)))
        .append("</strong></p><table cellpadding=\"4\" style=\"border-collapse:collapse\">");
    row(sb, "Why", a.reason());
    if (!a.valueText().isEmpty()) {
      row(sb, "Value", a.valueText() + " " + a.threshold());
    }
    if (!a.expr().isEmpty()) {
      row(sb, "Condition", a.expr() + " over " + a.window());
    }
    row(sb, "Severity", a.severity().wireName());
    if (a.rollout() != null) {
      row(sb, "Rollout", a.rollout().name() + " at stage " + a.rollout().stage());
    }
    row(sb, "Incident", a.incidentId());
    sb.append("</table>");
    if (!a.readings().isEmpty()) {
      sb.append("<h3>SLIs</h3><ul>");
      for (SliReading r : a.readings()) {
        sb.append("<li>").append(esc(NotificationText.reading(r))).append("</li>");
      }
      sb.append("</ul>");
    }
    if (!a.labels().isEmpty()) {
      sb.append("<h3>Labels</h3><table cellpadding=\"2\">");
      a.labels().forEach((k, v) -> row(sb, k, v));
      sb.append("</table>");
    }
    if (!a.annotations().isEmpty()) {
      sb.append("<h3>Annotations</h3><table cellpadding=\"2\">");
      a.annotations().forEach((k, v) -> row(sb, k, v));
      sb.append("</table>");
    }
    sb.append("<p><a href=\"")
        .append(esc(links.incident(a.incidentId())))
        .append("\">Incident timeline</a> · <a href=\"")
        .append(esc(links.report(a.incidentId())))
        .append(
            "\">Postmortem skeleton</a></p><p style=\"color:#57606a;font-size:smaller\">Sent by"
                + " Rollguard; idempotency key ")
        .append(esc(n.idempotencyKey()))
        .append("</p></body></html>");
    return sb.toString();
  }

  private static void row(StringBuilder sb, String name, String value) {
    sb.append("<tr><th align=\"left\" valign=\"top\">")
        .append(esc(name))
        .append("</th><td>")
        .append(esc(value))
        .append("</td></tr>");
  }

  /** HTML text and attribute escaping. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
