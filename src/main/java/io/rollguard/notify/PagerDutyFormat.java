package io.rollguard.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;

/**
 * PagerDuty Events API v2 (WIRE.md): {@code trigger} on firing (and on reminders, which PagerDuty
 * folds into the open alert), {@code resolve} on resolve, both with the incident id as {@code
 * dedup_key}. The summary is cut to 1024 characters; {@code custom_details} carries value,
 * threshold, window, labels and the SLI readings. The routing key is the credential. Immutable.
 */
final class PagerDutyFormat implements Format {

  static final int MAX_SUMMARY_CHARS = 1_024;
  static final String EVENTS_PATH = "/v2/enqueue";
  static final String CHANGE_PATH = "/v2/change/enqueue";

  private final String routingKey;
  private final Links links;

  PagerDutyFormat(String routingKey, Links links) {
    this.routingKey = routingKey;
    this.links = links;
  }

  /** Change events go to {@code /v2/change/enqueue} beside the events URL. */
  @Override
  public String url(Notification n, String configured) {
    if (n.event() != Notification.Event.CHANGE) {
      return configured;
    }
    String url = changeUrl(configured);
    if (url == null) {
      throw new IllegalStateException(
          "change events need an events URL ending in " + EVENTS_PATH + ", not " + configured);
    }
    return url;
  }

  /**
   * The change events URL for an events URL ending in {@value #EVENTS_PATH}; null for any other
   * (the configuration refuses change events then).
   */
  public static String changeUrl(String eventsUrl) {
    return eventsUrl != null && eventsUrl.endsWith(EVENTS_PATH)
        ? eventsUrl.substring(0, eventsUrl.length() - EVENTS_PATH.length()) + CHANGE_PATH
        : null;
  }

  @Override
  public Body render(Notification n) {
    AlertEvent a = n.alert();
    ObjectNode o = Payloads.object().put("routing_key", routingKey);
    if (n.event() == Notification.Event.CHANGE) {
      return new Body(Payloads.bytes(change(o, a)), "application/json");
    }
    if (n.event() == Notification.Event.RESOLVED) {
      o.put("event_action", "resolve").put("dedup_key", a.incidentId());
      return new Body(Payloads.bytes(o), "application/json");
    }
    o.put("event_action", "trigger").put("dedup_key", a.incidentId());
    ObjectNode payload =
        o.putObject("payload")
            .put("summary", NotificationText.cut(NotificationText.summary(n), MAX_SUMMARY_CHARS))
            .put("source", a.labels().getOrDefault("service", "rollguard"))
            .put(
                "severity",
                switch (a.severity()) {
                  case CRITICAL -> "critical";
                  case WARNING -> "warning";
                  case INFO -> "info";
                })
            .put("timestamp", NotificationText.time(a.firedAtMillis()))
            .put("class", a.rule());
    if (a.labels().containsKey("stage")) {
      payload.put("group", a.labels().get("stage"));
    }
    ObjectNode details = payload.putObject("custom_details");
    Payloads.number(details, "value", a.value());
    details
        .put("value_text", a.valueText())
        .put("threshold", a.threshold())
        .put("window", a.window())
        .put("expr", a.expr())
        .put("reason", a.reason());
    details.set("labels", Payloads.map(a.labels()));
    details.set("slis", Payloads.readings(a));
    details.set("annotations", Payloads.map(a.annotations()));
    var linkArray = o.putArray("links");
    linkArray
        .addObject()
        .put("href", links.incident(a.incidentId()))
        .put("text", "Rollguard incident timeline");
    String runbook = a.annotations().get("runbook");
    if (runbook != null && runbook.startsWith("http")) {
      linkArray.addObject().put("href", runbook).put("text", "Runbook");
    }
    o.put("client", "Rollguard").put("client_url", links.incident(a.incidentId()));
    return new Body(Payloads.bytes(o), "application/json");
  }

  /**
   * A change event (WIRE.md): the rollback of a rollout or its move to a stage, on the service's
   * PagerDuty timeline; it never pages. No dedup key exists for change events: a retry after a lost
   * answer can show one twice.
   */
  private ObjectNode change(ObjectNode o, AlertEvent a) {
    boolean rollback = a.kind() != AlertEvent.Kind.CHANGED;
    String stage = a.rollout() == null ? "" : a.rollout().stage();
    String summary =
        rollback ? a.rule() + " rolled back at stage " + stage + ": " + a.reason() : a.reason();
    ObjectNode payload =
        o.putObject("payload")
            .put("summary", NotificationText.cut(summary, MAX_SUMMARY_CHARS))
            .put("source", a.labels().getOrDefault("service", a.rule()))
            .put("timestamp", NotificationText.time(a.atMillis()));
    ObjectNode details = payload.putObject("custom_details");
    details
        .put("rollout", a.rule())
        .put("stage", stage)
        .put("change", rollback ? "rollback" : "stage")
        .put("reason", a.reason());
    details.set("labels", Payloads.map(a.labels()));
    if (rollback) {
      details.put("incident_id", a.incidentId());
      details.set("slis", Payloads.readings(a));
      o.putArray("links")
          .addObject()
          .put("href", links.incident(a.incidentId()))
          .put("text", "Rollguard incident timeline");
    }
    return o;
  }
}
