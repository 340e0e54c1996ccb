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

  static void error(RoutingContext ctx, int status, String message) {
    send(ctx, status, new JsonObject().put("error", message));
  }

  /** A number, or null for "no data" ({@code NaN}). */
  static Double number(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
