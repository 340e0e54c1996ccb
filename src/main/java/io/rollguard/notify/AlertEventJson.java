package io.rollguard.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.rules.Severity;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alert events and notifications as stored on disk (outbox, incidents): every field, so that what
 * is read back is what was written. Not a wire format for receivers. Stateless.
 */
public final class AlertEventJson {

  private AlertEventJson() {}

  public static ObjectNode write(AlertEvent a) {
    ObjectNode o =
        Payloads.object()
            .put("kind", a.kind().name())
            .put("source", a.source().name())
            .put("rule", a.rule())
            .put("severity", a.severity().name());
    o.set("labels", Payloads.map(a.labels()));
    o.set("annotations", Payloads.map(a.annotations()));
    o.put("expr", a.expr()).put("window", a.window());
    Payloads.number(o, "value", a.value());
    o.put("value_text", a.valueText()).put("threshold", a.threshold());
    var readings = o.putArray("readings");
    for (SliReading r : a.readings()) {
      ObjectNode ro = readings.addObject().put("expr", r.expr()).put("type", r.type().name());
      Payloads.number(ro, "value", r.value());
      ro.put("samples", r.samples());
      Payloads.number(ro, "relative_error", r.relativeError());
    }
    o.put("reason", a.reason())
        .put("incident_id", a.incidentId())
        .put("started_at", a.startedAtMillis())
        .put("fired_at", a.firedAtMillis())
        .put("at", a.atMillis());
    if (a.rollout() != null) {
      o.putObject("rollout").put("name", a.rollout().name()).put("stage", a.rollout().stage());
    }
    var receivers = o.putArray("receivers");
    a.receivers().forEach(receivers::add);
    return o;
  }

  public static AlertEvent read(JsonNode o) {
    List<SliReading> readings = new ArrayList<>();
    for (JsonNode r : o.path("readings")) {
      readings.add(
          new SliReading(
              r.path("expr").asText(),
              Type.valueOf(r.path("type").asText()),
              number(r.path("value")),
              r.path("samples").asLong(),
              r.path("relative_error").isNumber()
                  ? r.path("relative_error").asDouble()
                  : Double.POSITIVE_INFINITY));
    }
    AlertEvent.RolloutRef rollout =
        o.path("rollout").isObject()
            ? new AlertEvent.RolloutRef(
                o.path("rollout").path("name").asText(), o.path("rollout").path("stage").asText())
            : null;
    Map<String, String> labels = strings(o.path("labels"));
    List<String> receivers = new ArrayList<>();
    o.path("receivers").forEach(n -> receivers.add(n.asText()));
    return AlertEvent.builder(
            AlertEvent.Kind.valueOf(o.path("kind").asText()),
            source(o, rollout, labels),
            o.path("rule").asText())
        .severity(Severity.valueOf(o.path("severity").asText()))
        .labels(labels)
        .annotations(strings(o.path("annotations")))
        .expr(o.path("expr").asText())
        .window(o.path("window").asText())
        .value(number(o.path("value")), o.path("value_text").asText())
        .threshold(o.path("threshold").asText())
        .readings(readings)
        .reason(o.path("reason").asText())
        .incident(
            o.path("incident_id").asText(null),
            o.path("started_at").asLong(),
            o.path("fired_at").asLong())
        .at(o.path("at").asLong())
        .rollout(rollout)
        .receivers(receivers)
        .build();
  }

  /** The source as written; files from before it was written tell it by their shape. */
  private static AlertEvent.Source source(
      JsonNode o, AlertEvent.RolloutRef rollout, Map<String, String> labels) {
    if (o.path("source").isTextual()) {
      return AlertEvent.Source.valueOf(o.path("source").asText());
    }
    if (rollout != null) {
      return AlertEvent.Source.ROLLOUT;
    }
    return labels.containsKey("slo") && labels.containsKey("tier")
        ? AlertEvent.Source.SLO
        : AlertEvent.Source.RULE;
  }

  public static ObjectNode write(Notification n) {
    ObjectNode o =
        Payloads.object()
            .put("id", n.id())
            .put("receiver", n.receiver())
            .put("event", n.event().name())
            .put("repeat", n.repeat())
            .put("created_at", n.createdAtMillis())
            .put("via", n.via());
    if (n.alert() != null) {
      o.set("alert", write(n.alert()));
    }
    ReportMessage r = n.report();
    if (r != null) {
      o.putObject("report")
          .put("name", r.name())
          .put("slot", r.slot())
          .put("title", r.title())
          .put("markdown", r.markdown())
          .put("html", r.html())
          .put("json", r.json());
    }
    return o;
  }

  public static Notification readNotification(JsonNode o) {
    JsonNode r = o.path("report");
    ReportMessage report =
        r.isObject()
            ? new ReportMessage(
                r.path("name").asText(),
                r.path("slot").asText(),
                r.path("title").asText(),
                r.path("markdown").asText(),
                r.path("html").asText(),
                r.path("json").asText())
            : null;
    return new Notification(
        o.path("id").asText(),
        o.path("receiver").asText(),
        Notification.Event.valueOf(o.path("event").asText()),
        o.path("repeat").asInt(),
        report != null ? null : read(o.path("alert")),
        o.path("created_at").asLong(),
        o.path("via").isTextual() ? o.path("via").asText() : null,
        report);
  }

  private static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }

  private static Map<String, String> strings(JsonNode o) {
    Map<String, String> out = new LinkedHashMap<>();
    for (var e : o.properties()) {
      out.put(e.getKey(), e.getValue().asText());
    }
    return Map.copyOf(out);
  }
}
