package io.rollguard.api;

import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthz} (the process answers) and {@code GET /readyz} (it can do its work: the data
 * directory is writable and the rule files were loaded). The readiness probe writes and deletes a
 * file through Vert.x's asynchronous file system, never on the event loop.
 */
public final class HealthHandlers {

  private final Path dataDir;
  private final BooleanSupplier rulesLoaded;

  public HealthHandlers(Path dataDir, BooleanSupplier rulesLoaded) {
    this.dataDir = dataDir;
    this.rulesLoaded = rulesLoaded;
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
              boolean rules = rulesLoaded.getAsBoolean();
              JsonObject checks =
                  new JsonObject()
                      .put("data_dir", "ok")
                      .put("rules", rules ? "ok" : "not loaded: see GET /api/v1/rules");
              Json.send(
                  ctx,
                  rules ? 200 : 503,
                  new JsonObject()
                      .put("status", rules ? "ready" : "not ready")
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
