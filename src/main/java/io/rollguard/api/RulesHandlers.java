package io.rollguard.api;

import io.rollguard.alerting.AlertText;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.config.Durations;
import io.rollguard.notify.OutboxBacklog;
import io.rollguard.rules.LoadStatus;
import io.rollguard.rules.Rule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/rules} (rules, their instances and states, the last load and its errors per
 * file), {@code GET /api/v1/alerts} (pending and firing instances) and {@code POST /-/reload}
 * (admin token when one is configured; 400 with the errors when the files do not validate).
 */
public final class RulesHandlers {

  private final Supplier<RuleEngine.Snapshot> snapshot;
  private final Supplier<LoadStatus> status;
  private final Supplier<Future<LoadStatus>> reload;
  private final Supplier<OutboxBacklog> backlog;
  private final AdminAuth admin;

  public RulesHandlers(
      Supplier<RuleEngine.Snapshot> snapshot,
      Supplier<LoadStatus> status,
      Supplier<Future<LoadStatus>> reload,
      Supplier<OutboxBacklog> backlog,
      String adminToken) {
    this.snapshot = snapshot;
    this.status = status;
    this.reload = reload;
    this.backlog = backlog;
    this.admin = new AdminAuth(adminToken);
  }

  public void rules(RoutingContext ctx) {
    // Thousands of instances make a large answer: build it off the event loop.
    Json.offLoop(ctx, this::rulesBody, null);
  }

  public void alerts(RoutingContext ctx) {
    Json.offLoop(ctx, this::alertsBody, null);
  }

  private JsonObject rulesBody() {
    RuleEngine.Snapshot s = snapshot.get();
    JsonArray rules = new JsonArray();
    for (RuleEngine.RuleStatus r : s.rules()) {
      JsonArray instances = new JsonArray();
      for (RuleEngine.InstanceStatus i : r.instances()) {
        instances.add(instance(r.rule(), i));
      }
      Rule rule = r.rule();
      rules.add(
          new JsonObject()
              .put("name", rule.name())
              .put("file", rule.position().file())
              .put("description", rule.description())
              .put("select", new JsonObject(Map.copyOf(rule.selectSpec())))
              .put("by", new JsonArray(rule.by()))
              .put("window", Durations.format(rule.window()))
              .put("when", rule.whenText())
              .put("for", Durations.format(rule.forDuration()))
              .put("consecutive", rule.consecutive())
              .put("min_samples", rule.minSamples())
              .put("keep_firing_for", Durations.format(rule.keepFiringFor()))
              .put("severity", rule.severity().wireName())
              .put("last_evaluation", r.lastEvaluatedMillis())
              .put("evaluation_ms", r.evaluationNanos() / 1e6)
              .put("instances", instances));
    }
    OutboxBacklog waiting = backlog.get();
    JsonObject outbox = new JsonObject().put("unwritten", waiting.unwritten());
    if (!waiting.isEmpty()) {
      outbox
          .put("last_error", waiting.lastError())
          .put("failing_since", waiting.failingSinceMillis());
    }
    return new JsonObject()
        .put("load", load(status.get()))
        .put("outbox", outbox)
        .put("rules", rules);
  }

  private JsonObject alertsBody() {
    JsonArray alerts = new JsonArray();
    for (var a : snapshot.get().alerts()) {
      alerts.add(
          instance(a.getKey(), a.getValue())
              .put("rule", a.getKey().name())
              .put("severity", a.getKey().severity().wireName()));
    }
    return new JsonObject().put("alerts", alerts);
  }

  public void reload(RoutingContext ctx) {
    if (!admin.admit(ctx)) {
      return;
    }
    reload
        .get()
        .onSuccess(s -> Json.send(ctx, s.ok() ? 200 : 400, load(s)))
        .onFailure(e -> Json.error(ctx, 500, "reload failed: " + e.getMessage()));
  }

  private static JsonObject instance(Rule rule, RuleEngine.InstanceStatus i) {
    JsonObject o =
        new JsonObject()
            .put("labels", new JsonObject(Map.copyOf(i.labels())))
            .put("state", i.phase().wireName())
            .put("value", Json.number(i.value()))
            .put("threshold", Json.number(i.threshold()))
            .put("value_text", AlertText.formatValue(rule, i.value()));
    if (i.pendingSinceMillis() > 0) {
      o.put("active_since", i.pendingSinceMillis());
    }
    if (i.firedAtMillis() > 0) {
      o.put("fired_at", i.firedAtMillis()).put("incident_id", i.incidentId());
    }
    return o;
  }

  private static JsonObject load(LoadStatus s) {
    JsonObject errors = new JsonObject();
    s.problemsByFile().forEach((file, problems) -> errors.put(file, new JsonArray(problems)));
    return new JsonObject()
        .put("ok", s.ok())
        .put("attempted_at", s.attemptedAtMillis())
        .put("files", new JsonArray(s.files()))
        .put("errors", errors)
        .put("warnings", new JsonArray(s.warnings()))
        .put("active_rules", s.activeRules())
        .put("active_since", s.activeSinceMillis());
  }
}
