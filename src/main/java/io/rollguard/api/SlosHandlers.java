package io.rollguard.api;

import io.rollguard.config.Durations;
import io.rollguard.slo.SloEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/slos}: per SLO, attainment over the period, error budget left, burn rates over
 * 5m..3d, PASS/FAIL and each alert tier's state.
 */
public final class SlosHandlers {

  private final Supplier<SloEngine.Snapshot> snapshot;

  public SlosHandlers(Supplier<SloEngine.Snapshot> snapshot) {
    this.snapshot = snapshot;
  }

  public void list(RoutingContext ctx) {
    SloEngine.Snapshot s = snapshot.get();
    JsonArray slos = new JsonArray();
    for (SloEngine.SloStatus status : s.slos()) {
      JsonObject burns = new JsonObject();
      for (SloEngine.Burn b : status.burns()) {
        burns.put(Durations.format(b.window()), Json.number(b.rate()));
      }
      JsonArray tiers = new JsonArray();
      for (SloEngine.TierStatus t : status.tiers()) {
        JsonArray windows = new JsonArray();
        t.tier()
            .windows()
            .forEach(
                w ->
                    windows.add(
                        new JsonObject()
                            .put("long", Durations.format(w.longWindow()))
                            .put("short", Durations.format(w.shortWindow()))
                            .put("burn_rate", w.burnRate())));
        tiers.add(
            new JsonObject()
                .put("name", t.tier().name())
                .put("severity", t.tier().severity().wireName())
                .put("state", t.phase().wireName())
                .put("suppressed", t.suppressed())
                .put("windows", windows)
                .put("fired_at", t.firedAtMillis() == 0 ? null : t.firedAtMillis())
                .put("incident_id", t.incidentId()));
      }
      slos.add(
          new JsonObject()
              .put("name", status.slo().name())
              .put("objective", status.slo().objective())
              .put("period", Durations.format(status.slo().period()))
              .put("good", status.slo().goodText())
              .put("status", status.compliance().name())
              .put("attainment", Json.number(status.attainment()))
              .put("good_requests", status.good())
              .put("total_requests", status.total())
              .put("error_budget_remaining", status.budgetRemaining())
              .put("burn_rates", burns)
              .put("tiers", tiers));
    }
    Json.ok(ctx, new JsonObject().put("evaluated_at", s.atMillis()).put("slos", slos));
  }
}
