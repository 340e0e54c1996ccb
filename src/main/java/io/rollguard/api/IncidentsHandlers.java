package io.rollguard.api;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.incident.Incident;
import io.rollguard.incident.IncidentLog;
import io.rollguard.incident.IncidentReport;
import io.rollguard.rules.SliReading;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * {@code GET /api/v1/incidents} (newest first; {@code ?state=open|resolved}, {@code ?limit=N}),
 * {@code GET /api/v1/incidents/{id}} (the whole timeline: breach start, fired, every delivery
 * attempt, resolved) and {@code GET /api/v1/incidents/{id}/report} (a Markdown postmortem
 * skeleton).
 */
public final class IncidentsHandlers {

  private static final int DEFAULT_LIMIT = 100;

  private final IncidentLog incidents;

  public IncidentsHandlers(IncidentLog incidents) {
    this.incidents = incidents;
  }

  public void list(RoutingContext ctx) {
    String state = ctx.request().getParam("state");
    if (state != null && !state.equals("open") && !state.equals("resolved")) {
      Json.error(ctx, 400, "state must be open or resolved, got '" + state + "'");
      return;
    }
    int limit;
    try {
      limit = Integer.parseInt(ctx.request().getParam("limit", Integer.toString(DEFAULT_LIMIT)));
    } catch (NumberFormatException e) {
      Json.error(ctx, 400, "limit must be a whole number");
      return;
    }
    JsonArray out = new JsonArray();
    for (Incident i : incidents.list()) {
      if (out.size() >= limit) {
        break;
      }
      if (state == null || state.equals("open") == i.open()) {
        out.add(summary(i));
      }
    }
    Json.ok(ctx, new JsonObject().put("incidents", out));
  }

  public void get(RoutingContext ctx) {
    Incident i = incidents.get(ctx.pathParam("id"));
    if (i == null) {
      Json.error(ctx, 404, "no incident '" + ctx.pathParam("id") + "'");
      return;
    }
    JsonArray attempts = new JsonArray();
    for (Incident.Attempt a : i.attempts()) {
      attempts.add(
          new JsonObject()
              .put("receiver", a.receiver())
              .put("event", a.event())
              .put("idempotency_key", a.key())
              .put("attempt", a.attempt())
              .put("at", time(a.atMillis()))
              .put("status", a.status() == 0 ? null : a.status())
              .put("protocol", a.smtp() ? "smtp" : "http")
              .put("error", a.error())
              .put("latency_ms", a.latencyMillis())
              .put("next", a.next()));
    }
    JsonObject body =
        summary(i)
            .put("firing", event(i.firing()))
            .put("resolution", i.resolution() == null ? null : event(i.resolution()))
            .put("attempts", attempts);
    Json.ok(ctx, body);
  }

  public void report(RoutingContext ctx) {
    Incident i = incidents.get(ctx.pathParam("id"));
    if (i == null) {
      Json.error(ctx, 404, "no incident '" + ctx.pathParam("id") + "'");
      return;
    }
    ctx.response()
        .putHeader("content-type", "text/markdown; charset=utf-8")
        .end(IncidentReport.markdown(i));
  }

  private static JsonObject summary(Incident i) {
    AlertEvent f = i.firing();
    return new JsonObject()
        .put("id", i.id())
        .put("state", i.open() ? "open" : "resolved")
        .put("rule", f.rule())
        .put("severity", f.severity().wireName())
        .put("labels", new JsonObject(new java.util.TreeMap<String, Object>(f.labels())))
        .put("breach_started_at", time(f.startedAtMillis()))
        .put("fired_at", time(f.firedAtMillis()))
        .put("resolved_at", i.open() ? null : time(i.resolvedAtMillis()))
        .put("receivers", new JsonArray(i.receivers()));
  }

  private static JsonObject event(AlertEvent e) {
    JsonArray slis = new JsonArray();
    for (SliReading r : e.readings()) {
      slis.add(
          new JsonObject()
              .put("expr", r.expr())
              .put("value", Json.number(r.value()))
              .put("samples", r.samples())
              .put("relative_error", Json.number(r.relativeError())));
    }
    return new JsonObject()
        .put("at", time(e.atMillis()))
        .put("expr", e.expr())
        .put("window", e.window())
        .put("value", Json.number(e.value()))
        .put("value_text", e.valueText())
        .put("threshold", e.threshold())
        .put("reason", e.reason())
        .put("slis", slis)
        .put("annotations", new JsonObject(new java.util.TreeMap<String, Object>(e.annotations())));
  }

  private static String time(long millis) {
    return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
  }
}
