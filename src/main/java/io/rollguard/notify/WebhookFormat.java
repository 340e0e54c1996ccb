package io.rollguard.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Our own webhook payload (SPEC 4), signed the Standard Webhooks way when the receiver has a
 * secret: {@code webhook-id} is the idempotency key ({@code <incident_id>:<event>}), {@code
 * webhook-timestamp} the attempt's time, so that retries are never refused as stale. Immutable.
 */
final class WebhookFormat implements Format {

  private final WebhookSigner signer;
  private final Links links;

  WebhookFormat(String secret, Links links) {
    this.signer = secret == null ? null : WebhookSigner.fromSecret(secret);
    this.links = links;
  }

  @Override
  public Body render(Notification n) {
    if (n.report() != null) {
      return new Body(Payloads.bytes(report(n)), "application/json");
    }
    AlertEvent a = n.alert();
    ObjectNode o =
        Payloads.object()
            .put("version", "1")
            .put("event", n.event().wireName())
            .put("id", n.idempotencyKey())
            .put("incident_id", a.incidentId())
            .put("rule", a.rule())
            .put("severity", a.severity().wireName());
    o.set("labels", Payloads.map(a.labels()));
    o.set("annotations", Payloads.map(a.annotations()));
    Payloads.number(o, "value", a.value());
    o.put("value_text", a.valueText())
        .put("threshold", a.threshold())
        .put("expr", a.expr())
        .put("window", a.window())
        .put("reason", a.reason());
    o.set("slis", Payloads.readings(a));
    o.put("started_at", NotificationText.time(a.startedAtMillis()))
        .put("fired_at", NotificationText.time(a.firedAtMillis()))
        .put(
            "resolved_at",
            a.kind() == AlertEvent.Kind.RESOLVED ? NotificationText.time(a.atMillis()) : null)
        .put("repeat", n.repeat());
    if (a.rollout() == null) {
      o.putNull("rollout");
    } else {
      o.putObject("rollout").put("name", a.rollout().name()).put("stage", a.rollout().stage());
    }
    o.putObject("links")
        .put("incident", links.incident(a.incidentId()))
        .put("report", links.report(a.incidentId()));
    return new Body(Payloads.bytes(o), "application/json");
  }

  /**
   * A report: {@code event: report}, its name, slot and title, the Markdown, and the report itself
   * as JSON under {@code report}.
   */
  static ObjectNode report(Notification n) {
    ReportMessage r = n.report();
    ObjectNode o =
        Payloads.object()
            .put("version", "1")
            .put("event", "report")
            .put("id", n.idempotencyKey())
            .put("report_name", r.name())
            .put("slot", r.slot())
            .put("title", r.title())
            .put("markdown", r.markdown());
    try {
      o.set("report", Payloads.MAPPER.readTree(r.json()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return o;
  }

  @Override
  public Map<String, String> headers(Notification n, byte[] body, long nowMillis) {
    return standardWebhooks(signer, n, body, nowMillis);
  }

  /** The Standard Webhooks headers of one attempt; the signature only with a signer. */
  static Map<String, String> standardWebhooks(
      WebhookSigner signer, Notification n, byte[] body, long nowMillis) {
    Map<String, String> h = new LinkedHashMap<>();
    String id = n.idempotencyKey();
    long timestamp = nowMillis / 1_000;
    h.put("webhook-id", id);
    h.put("webhook-timestamp", Long.toString(timestamp));
    if (signer != null) {
      h.put("webhook-signature", signer.sign(id, timestamp, body));
    }
    return h;
  }
}
