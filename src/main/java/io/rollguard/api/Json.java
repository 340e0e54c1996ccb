package io.rollguard.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** How the API answers: JSON bodies, {@code {"error": ...}} on failure. Stateless. */
final class Json {

  private Json() {}

  static void ok(RoutingContext ctx, JsonObject body) {
    send(ctx, 200, body);
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }

  /** A body already encoded (off the event loop, for large answers). */
  static void send(RoutingContext ctx, int status, io.vertx.core.buffer.Buffer body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body);
  }

  /**
   * Builds a body on a worker thread and encodes it there too (large answers never hold an event
   * loop), then sends it: 200; 404 with {@code notFound} when the body is null; 400 with its
   * message when building it threw {@link IllegalArgumentException}.
   */
  static void offLoop(
      RoutingContext ctx, java.util.concurrent.Callable<JsonObject> body, String notFound) {
    ctx.vertx()
        .executeBlocking(
            () -> {
              JsonObject b = body.call();
              return b == null ? null : b.toBuffer();
            },
            false)
        .onSuccess(
            encoded -> {
              if (encoded == null) {
                error(ctx, 404, notFound);
              } else {
                send(ctx, 200, encoded);
              }
            })
        .onFailure(
            e -> {
              if (e instanceof IllegalArgumentException) {
                error(ctx, 400, e.getMessage());
              } else {
                ctx.fail(e);
              }
            });
  }

  static void error(RoutingContext ctx, int status, String message) {
    send(ctx, status, new JsonObject().put("error", message));
  }

  /** A number, or null for "no data" ({@code NaN}). */
  static Double number(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
