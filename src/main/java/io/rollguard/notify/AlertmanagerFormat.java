package io.rollguard.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Alertmanager webhook payload, version 4 (WIRE.md), with one alert per message, so receivers
 * written for Alertmanager (and their dedup on {@code fingerprint}) work unchanged. The rule name
 * is {@code alertname}; the explanation travels in annotations; Standard Webhooks headers as for
 * our own payload. Immutable.
 */
final class AlertmanagerFormat implements Format {

  private static final String NOT_ENDED = "0001-01-01T00:00:00Z";

  private final String receiverName;
  private final WebhookSigner signer;
  private final Links links;

  AlertmanagerFormat(String receiverName, String secret, Links links) {
    this.receiverName = receiverName;
    this.signer = secret == null ? null : WebhookSigner.fromSecret(secret);
    this.links = links;
  }

  /** Signed like our own webhooks, so one verifier serves both. */
  @Override
  public java.util.Map<String, String> headers(Notification n, byte[] body, long nowMillis) {
    return WebhookFormat.standardWebhooks(signer, n, body, nowMillis);
  }

  @Override
  public Body render(Notification n) {
    AlertEvent a = n.alert();
    String status = n.event() == Notification.Event.RESOLVED ? "resolved" : "firing";
    Map<String, String> labels = new TreeMap<>(a.labels());
    labels.put("alertname", a.rule());
    labels.put("severity", a.severity().wireName());
    Map<String, String> annotations = new TreeMap<>(a.annotations());
    annotations.put("expr", a.expr());
    annotations.put("value", a.valueText());
    annotations.put("threshold", a.threshold());
    annotations.put("window", a.window());
    annotations.put("reason", a.reason());
    annotations.put(
        "slis", String.join("; ", a.readings().stream().map(NotificationText::reading).toList()));

    ObjectNode o =
        Payloads.object()
            .put("version", "4")
            .put("groupKey", "{}:{alertname=\"" + a.rule() + "\"}")
            .put("truncatedAlerts", 0)
            .put("status", status)
            .put("receiver", receiverName);
    o.set("groupLabels", Payloads.map(Map.of("alertname", a.rule())));
    o.set("commonLabels", Payloads.map(labels));
    o.set("commonAnnotations", Payloads.map(annotations));
    o.put("externalURL", links.base());
    ObjectNode alert = o.putArray("alerts").addObject().put("status", status);
    alert.set("labels", Payloads.map(labels));
    alert.set("annotations", Payloads.map(annotations));
    alert
        .put("startsAt", NotificationText.time(a.firedAtMillis()))
        .put("endsAt", status.equals("resolved") ? NotificationText.time(a.atMillis()) : NOT_ENDED)
        .put("generatorURL", links.incident(a.incidentId()))
        .put("fingerprint", a.incidentId());
    return new Body(Payloads.bytes(o), "application/json");
  }
}
