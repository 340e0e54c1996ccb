package io.rollguard.api;

import io.rollguard.config.Durations;
import io.rollguard.rollout.CanaryJudge;
import io.rollguard.rollout.RolloutEngine;
import io.rollguard.rollout.Verdict;
import io.rollguard.rules.Rollout;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Truth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Rollouts for deployers: {@code GET /api/v1/rollouts[/{name}]} (the verdict with every criterion),
 * {@code PUT /api/v1/rollouts/{name}/stage} (admin token when configured; body {@code {"stage":
 * "gradual"}}) and the gates {@code POST /api/v1/gates/{rollout}/promote} and {@code .../rollback},
 * which answer 200 when the verdict is that and 409 otherwise, with the verdict as the body either
 * way (Flagger's webhooks take 2xx as "go").
 */
public final class RolloutsHandlers {

  private final Supplier<Map<String, Verdict>> verdicts;
  private final BiFunction<String, String, Future<RolloutEngine.StageChange>> setStage;
  private final AdminAuth admin;

  public RolloutsHandlers(
      Supplier<Map<String, Verdict>> verdicts,
      BiFunction<String, String, Future<RolloutEngine.StageChange>> setStage,
      String adminToken) {
    this.verdicts = verdicts;
    this.setStage = setStage;
    this.admin = new AdminAuth(adminToken);
  }

  public void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    verdicts.get().values().forEach(v -> out.add(json(v)));
    Json.ok(ctx, new JsonObject().put("rollouts", out));
  }

  public void get(RoutingContext ctx) {
    Verdict v = find(ctx, ctx.pathParam("name"));
    if (v != null) {
      Json.ok(ctx, json(v));
    }
  }

  public void setStage(RoutingContext ctx) {
    if (!admin.admit(ctx)) {
      return;
    }
    String name = ctx.pathParam("name");
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      Json.error(ctx, 400, "the body must be JSON such as {\"stage\": \"canary\"}");
      return;
    }
    Object stage = body == null ? null : body.getValue("stage");
    if (!(stage instanceof String s) || s.isBlank()) {
      Json.error(ctx, 400, "the body must name the stage: {\"stage\": \"canary\"}");
      return;
    }
    setStage
        .apply(name, s)
        .onSuccess(
            change -> {
              if (change.error() == null) {
                Json.ok(ctx, json(change.verdict()));
              } else {
                Json.error(
                    ctx, change.error().startsWith("no rollout") ? 404 : 400, change.error());
              }
            })
        .onFailure(ctx::fail);
  }

  /** {@code POST /api/v1/gates/{rollout}/promote}: 200 when the verdict is promote, else 409. */
  public void promoteGate(RoutingContext ctx) {
    gate(ctx, Verdict.Decision.PROMOTE);
  }

  /** {@code POST /api/v1/gates/{rollout}/rollback}: 200 when the verdict is rollback, else 409. */
  public void rollbackGate(RoutingContext ctx) {
    gate(ctx, Verdict.Decision.ROLLBACK);
  }

  private void gate(RoutingContext ctx, Verdict.Decision wanted) {
    Verdict v = find(ctx, ctx.pathParam("rollout"));
    if (v != null) {
      Json.send(ctx, v.decision() == wanted ? 200 : 409, json(v));
    }
  }

  private Verdict find(RoutingContext ctx, String name) {
    Verdict v = verdicts.get().get(name);
    if (v == null) {
      Json.error(
          ctx,
          404,
          "no rollout named '"
              + name
              + "' (rollouts: "
              + String.join(", ", verdicts.get().keySet())
              + ")");
    }
    return v;
  }

  static JsonObject json(Verdict v) {
    Rollout r = v.rollout();
    Rollout.Stage stage = v.stageSpec();
    JsonArray promote = new JsonArray();
    v.promote().forEach(c -> promote.add(criterion(c)));
    JsonArray rollback = new JsonArray();
    for (Verdict.CriterionStatus c : v.rollback()) {
      rollback.add(
          criterion(c)
              .put("for", Durations.format(c.criterion().forDuration()))
              .put("consecutive", c.criterion().consecutive())
              .put("state", c.phase().wireName())
              .put("since", c.sinceMillis() == 0 ? null : c.sinceMillis()));
    }
    Rollout.Stage next = v.nextStage();
    return new JsonObject()
        .put("rollout", r.name())
        .put("verdict", v.decision().wireName())
        .put("since", v.sinceMillis())
        .put("reasons", new JsonArray(v.reasons()))
        .put(
            "stage",
            new JsonObject()
                .put("name", stage.name())
                .put("index", v.stageIndex())
                .put("traffic", stage.traffic())
                .put("min_duration", Durations.format(stage.minDuration()))
                .put("since", v.stageSinceMillis())
                .put("set_by_deployer", v.stageSet()))
        .put("next_stage", next == null ? null : next.name())
        .put("attempt", v.attempt())
        .put("window", Durations.format(r.window()))
        .put("alpha", r.alpha())
        .put("select", new JsonObject(Map.copyOf(r.selectSpec())))
        .put("stage_label", r.stageLabel())
        .put(
            "baseline",
            r.baselineSpec() == null ? null : new JsonObject(Map.copyOf(r.baselineSpec())))
        .put(
            "promote_holding_since",
            v.promoteHoldingSinceMillis() == 0 ? null : v.promoteHoldingSinceMillis())
        .put("promote_when", promote)
        .put("rollback_when", rollback)
        .put("incident_id", v.incidentId())
        .put("evaluated_at", v.evaluatedAtMillis());
  }

  /** A judge criterion's statistics: what a deployer needs to trust (or doubt) the verdict. */
  private static JsonObject judge(Verdict.JudgeStatus j) {
    CanaryJudge.Reading r = j.reading();
    return new JsonObject()
        .put("sli", j.judge().sliText())
        .put("margin", j.judge().margin())
        .put("evidence", Json.number(r.evidence()))
        .put("evidence_needed", Json.number(r.needed()))
        .put("decided_at", j.decidedAtMillis() == 0 ? null : j.decidedAtMillis())
        .put("estimate", Json.number(r.estimate()))
        .put("lower", r.lower() > 0 ? Json.number(r.lower()) : null)
        .put("upper", Double.isInfinite(r.upper()) ? null : Json.number(r.upper()))
        .put("canary_value", Json.number(r.canaryValue()))
        .put("baseline_value", Json.number(r.baselineValue()))
        .put("canary_requests", r.canaryRequests())
        .put("baseline_requests", r.baselineRequests())
        .put("canary_events", r.canaryEvents())
        .put("baseline_events", r.baselineEvents())
        .put("relative_error", Json.number(r.relativeError()))
        .put("requests_needed", r.requestsNeeded() < 0 ? null : r.requestsNeeded())
        .put("seconds_needed", r.secondsNeeded() < 0 ? null : r.secondsNeeded())
        .put("unusable", r.unusable());
  }

  private static JsonObject criterion(Verdict.CriterionStatus c) {
    JsonArray slis = new JsonArray();
    for (SliReading s : c.readings()) {
      slis.add(
          new JsonObject()
              .put("expr", s.expr())
              .put("value", Json.number(s.value()))
              .put("samples", s.samples())
              .put("relative_error", Json.number(s.relativeError())));
    }
    return new JsonObject()
        .put("expr", c.criterion().text())
        .put("holds", c.truth() == Truth.NO_DATA ? null : c.truth() == Truth.TRUE)
        .put("no_data", c.truth() == Truth.NO_DATA)
        .put("value", Json.number(c.value()))
        .put("value_text", c.valueText())
        .put("threshold", c.threshold())
        .put("threshold_value", Json.number(c.thresholdValue()))
        .put("judge", c.judge() == null ? null : judge(c.judge()))
        .put("min_samples", c.criterion().minSamples())
        .put("slis", slis);
  }
}
