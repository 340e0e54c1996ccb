package io.rollguard.api;

import io.rollguard.notify.OutboxBacklog;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /healthz} (the process answers) and {@code GET /readyz} (it can do its work: it serves
 * a valid rule set, its data directory is writable, and no alert transition is waiting for an
 * outbox it could not write). A refused reload that keeps the old rules running is still ready: one
 * typo in a shared rule file must not take every replica out of its load balancer. The readiness
 * probe writes and deletes a file through Vert.x's asynchronous file system, never on the event
 * loop.
 */
public final class HealthHandlers {

  private final Path dataDir;
  private final BooleanSupplier servingValidRules;
  private final Supplier<OutboxBacklog> backlog;

  public HealthHandlers(
      Path dataDir, BooleanSupplier servingValidRules, Supplier<OutboxBacklog> backlog) {
    this.dataDir = dataDir;
    this.servingValidRules = servingValidRules;
    this.backlog = backlog;
  }

  public void live(RoutingContext ctx) {
    Json.ok(ctx, new JsonObject().put("status", "ok"));
  }

  public void ready(RoutingContext ctx) {
    FileSystem fs = ctx.vertx().fileSystem();
    String probe = dataDir.resolve(".readyz-probe").toString();
    fs.mkdirs(dataDir.toString())
        .compose(v -> fs.writeFile(probe, io.vertx.core.buffer.Buffer.buffer("ok")))
        .compose(v -> fs.delete(probe))
        .onSuccess(
            v -> {
              boolean rules = servingValidRules.getAsBoolean();
              OutboxBacklog waiting = backlog.get();
              JsonObject checks =
                  new JsonObject()
                      .put("data_dir", "ok")
                      .put(
                          "rules", rules ? "ok" : "no valid rule set loaded: see GET /api/v1/rules")
                      .put(
                          "outbox",
                          waiting.isEmpty()
                              ? "ok"
                              : waiting.unwritten()
                                  + " alert transition(s) not written: "
                                  + waiting.lastError());
              boolean ready = rules && waiting.isEmpty();
              Json.send(
                  ctx,
                  ready ? 200 : 503,
                  new JsonObject()
                      .put("status", ready ? "ready" : "not ready")
                      .put("checks", checks));
            })
        .onFailure(
            e ->
                Json.send(
                    ctx,
                    503,
                    new JsonObject()
                        .put("status", "not ready")
                        .put(
                            "checks",
                            new JsonObject().put("data_dir", "not writable: " + e.getMessage()))));
  }
}
