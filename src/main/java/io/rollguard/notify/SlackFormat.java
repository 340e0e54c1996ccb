package io.rollguard.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.report.ReportBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * A Slack incoming-webhook message: a plain {@code text} fallback (what notifications and old
 * clients show) and Block Kit {@code blocks}: a header, the summary and why, fields for value vs
 * threshold, window, severity and labels, the SLI readings, and links. Every text is cut to Block
 * Kit's limits (WIRE.md) and the whole message kept under {@value #MAX_MESSAGE_CHARS} characters,
 * so Slack never rejects it for size. Immutable.
 */
final class SlackFormat implements Format {

  static final int MAX_HEADER_CHARS = 150;
  static final int MAX_SECTION_CHARS = 3_000;
  static final int MAX_FIELD_CHARS = 2_000;
  static final int MAX_FIELDS = 10;
  static final int MAX_MESSAGE_CHARS = 10_000;

  /** Field texts are cut to this much once the message as a whole is too long. */
  private static final int SHORT_FIELD_CHARS = 300;

  private final Links links;

  SlackFormat(Links links) {
    this.links = links;
  }

  @Override
  public Body render(Notification n) {
    if (n.report() != null) {
      return new Body(Payloads.bytes(report(n.report())), "application/json");
    }
    ObjectNode message = message(n, MAX_FIELD_CHARS, MAX_SECTION_CHARS);
    if (message.toString().length() > MAX_MESSAGE_CHARS) {
      message = message(n, SHORT_FIELD_CHARS, SHORT_FIELD_CHARS * 4);
    }
    return new Body(Payloads.bytes(message), "application/json");
  }

  private ObjectNode message(Notification n, int fieldChars, int sectionChars) {
    AlertEvent a = n.alert();
    String icon =
        switch (n.event()) {
          case FIRING -> ":red_circle:";
          case RESOLVED -> ":large_green_circle:";
          case ROLLBACK -> ":rewind:";
          case CHANGE -> ":twisted_rightwards_arrows:";
          case REPORT -> ":bar_chart:";
        };
    String headline = NotificationText.status(n) + ": " + a.rule();
    ObjectNode message =
        Payloads.object()
            .put(
                "text",
                NotificationText.cut(
                    icon + " " + headline + " — " + NotificationText.summary(n), sectionChars));
    ArrayNode blocks = message.putArray("blocks");
    header(blocks, headline);
    section(
        blocks,
        NotificationText.cut(
            icon
                + " *"
                + escape(NotificationText.summary(n))
                + "*\n"
                + escape(a.reason())
                + "\n`"
                + escape(a.expr())
                + "`",
            sectionChars));

    List<String> fields = new ArrayList<>();
    fields.add("*Value*\n" + a.valueText() + " (" + a.threshold() + ")");
    fields.add("*Window*\n" + a.window());
    fields.add("*Severity*\n" + a.severity().wireName());
    fields.add("*Incident*\n" + a.incidentId());
    if (!a.labels().isEmpty()) {
      fields.add("*Labels*\n" + escape(NotificationText.labels(a.labels())));
    }
    if (!a.readings().isEmpty()) {
      fields.add(
          "*SLIs*\n"
              + String.join("\n", a.readings().stream().map(NotificationText::reading).toList()));
    }
    ObjectNode fieldSection = blocks.addObject().put("type", "section");
    ArrayNode fieldArray = fieldSection.putArray("fields");
    for (String f : fields.subList(0, Math.min(MAX_FIELDS, fields.size()))) {
      fieldArray.addObject().put("type", "mrkdwn").put("text", NotificationText.cut(f, fieldChars));
    }

    StringBuilder linkLine =
        new StringBuilder("<" + links.incident(a.incidentId()) + "|Incident timeline>");
    linkLine.append(" · <").append(links.report(a.incidentId())).append("|Postmortem skeleton>");
    String runbook = a.annotations().get("runbook");
    if (runbook != null && runbook.startsWith("http")) {
      linkLine.append(" · <").append(runbook).append("|Runbook>");
    }
    blocks
        .addObject()
        .put("type", "context")
        .putArray("elements")
        .addObject()
        .put("type", "mrkdwn")
        .put("text", NotificationText.cut(linkLine.toString(), MAX_FIELD_CHARS));
    return message;
  }

  /**
   * A report: its title as the header, then its Markdown in sections of at most {@value
   * #MAX_SECTION_CHARS} characters (cut at line ends), headings and links turned into mrkdwn; never
   * more than 45 blocks (Slack takes 50); what does not fit is left out (the whole report is at
   * {@code GET /api/v1/reports/{name}}).
   */
  static ObjectNode report(ReportMessage r) {
    ObjectNode message =
        Payloads.object().put("text", NotificationText.cut(":bar_chart: " + r.title(), 3_000));
    ArrayNode blocks = message.putArray("blocks");
    header(blocks, r.title());
    StringBuilder chunk = new StringBuilder();
    int total = 0;
    for (String line : r.markdown().split("\n", -1)) {
      if (line.startsWith("# ")) {
        continue; // the title, already the header
      }
      String m = mrkdwn(line);
      if (chunk.length() + m.length() + 1 > MAX_SECTION_CHARS) {
        if (blocks.size() >= 45) {
          break;
        }
        section(blocks, chunk.toString());
        total += chunk.length();
        chunk.setLength(0);
      }
      chunk.append(NotificationText.cut(m, MAX_SECTION_CHARS - 1)).append('\n');
      if (total + chunk.length() > MAX_MESSAGE_CHARS * 4) {
        break;
      }
    }
    if (!chunk.toString().isBlank() && blocks.size() < 46) {
      section(blocks, chunk.toString());
    }
    return message;
  }

  /**
   * One Markdown line as Slack mrkdwn: headings and bold to *bold*, links to {@code <url|text>}.
   */
  private static String mrkdwn(String line) {
    String out = escape(line);
    if (out.matches("#{2,6} .*")) {
      out = "*" + out.replaceFirst("#{2,6} ", "") + "*";
    }
    out = out.replaceAll(ReportBuilder.BOLD, "*$1*").replaceAll(ReportBuilder.LINK, "<$2|$1>");
    return ReportBuilder.unescape(out);
  }

  private static void header(ArrayNode blocks, String text) {
    blocks
        .addObject()
        .put("type", "header")
        .putObject("text")
        .put("type", "plain_text")
        .put("text", NotificationText.cut(text, MAX_HEADER_CHARS));
  }

  private static void section(ArrayNode blocks, String mrkdwn) {
    blocks
        .addObject()
        .put("type", "section")
        .putObject("text")
        .put("type", "mrkdwn")
        .put("text", mrkdwn);
  }

  /** Slack's mrkdwn escapes: only {@code & < >}. */
  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
