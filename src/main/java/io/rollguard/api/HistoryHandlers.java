package io.rollguard.api;

import io.rollguard.alerting.Phase;
import io.rollguard.config.Durations;
import io.rollguard.history.EvaluationHistory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/rules/{name}/history[?since=]} (per instance: value, threshold and state at
 * every evaluation of the retention, or after {@code since}, and the state changes) and {@code GET
 * /api/v1/slos/{name}/history} (attainment and budget left). Columnar, oldest first; null where
 * there was no data.
 */
public final class HistoryHandlers {

  private final EvaluationHistory history;

  public HistoryHandlers(EvaluationHistory history) {
    this.history = history;
  }

  public void rule(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    long since;
    try {
      since = QueryRangeHandler.time(ctx.request().getParam("since"), "since", Long.MIN_VALUE);
    } catch (IllegalArgumentException e) {
      Json.error(ctx, 400, e.getMessage());
      return;
    }
    Json.offLoop(ctx, () -> ruleBody(name, since), "no history for rule '" + name + "'");
  }

  public void slo(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Json.offLoop(
        ctx,
        () -> {
          EvaluationHistory.SloHistory h = history.slo(name);
          return h == null
              ? null
              : new JsonObject()
                  .put("slo", name)
                  .put("retention", retention())
                  .put("t", times(h.times()))
                  .put("attainment", floats(h.attainment()))
                  .put("error_budget_remaining", floats(h.budgetRemaining()));
        },
        "no history for SLO '" + name + "'");
  }

  private JsonObject ruleBody(String name, long since) {
    List<EvaluationHistory.InstanceHistory> instances = history.rule(name, since);
    if (instances == null) {
      return null;
    }
    JsonArray out = new JsonArray();
    for (EvaluationHistory.InstanceHistory i : instances) {
      JsonArray states = new JsonArray();
      for (Phase p : i.phases()) {
        states.add(p.wireName());
      }
      JsonArray transitions = new JsonArray();
      for (EvaluationHistory.Transition t : i.transitions()) {
        transitions.add(
            new JsonObject()
                .put("at", t.atMillis())
                .put("from", t.from().wireName())
                .put("to", t.to().wireName()));
      }
      out.add(
          new JsonObject()
              .put("labels", new JsonObject(Map.copyOf(i.labels())))
              .put("t", times(i.times()))
              .put("value", floats(i.values()))
              .put("threshold", floats(i.thresholds()))
              .put("state", states)
              .put("transitions", transitions));
    }
    return new JsonObject().put("rule", name).put("retention", retention()).put("instances", out);
  }

  private String retention() {
    return Durations.format(Duration.ofMillis(history.retentionMillis()));
  }

  private static JsonArray times(long[] times) {
    JsonArray a = new JsonArray();
    for (long t : times) {
      a.add(t);
    }
    return a;
  }

  /** Floats as the doubles they print as ({@code 0.1f} as 0.1), NaN as null. */
  private static JsonArray floats(float[] values) {
    JsonArray a = new JsonArray();
    for (float v : values) {
      a.add(Float.isFinite(v) ? Double.valueOf(Float.toString(v)) : null);
    }
    return a;
  }
}
