package io.rollguard.api;

import io.rollguard.config.Durations;
import io.rollguard.report.ReportBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code GET /api/v1/reports/{name}[?span=7d][&format=json|markdown|html]}: a configured report,
 * rendered now over the span (default: the report's own), the same words its receivers get.
 * Markdown also when the request accepts {@code text/markdown} first. Built off the event loop.
 */
public final class ReportsHandlers {

  /** Renders a configured report; null for an unknown name. Called on a worker. */
  @FunctionalInterface
  public interface Renderer {
    ReportBuilder.Report render(String name, Duration span);
  }

  static final Duration MAX_SPAN = Duration.ofDays(400);

  private final Renderer renderer;

  public ReportsHandlers(Renderer renderer) {
    this.renderer = renderer;
  }

  public void get(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Duration span = null;
    String spanText = ctx.request().getParam("span");
    if (spanText != null) {
      try {
        span = Durations.parse(spanText);
      } catch (IllegalArgumentException e) {
        Json.error(ctx, 400, "span: " + e.getMessage());
        return;
      }
      if (span.isZero() || span.isNegative() || span.compareTo(MAX_SPAN) > 0) {
        Json.error(ctx, 400, "span must be more than 0 and at most 400d, got '" + spanText + "'");
        return;
      }
    }
    String format = ctx.request().getParam("format");
    if (format == null) {
      String accept = ctx.request().getHeader("Accept");
      format = accept != null && accept.startsWith("text/markdown") ? "markdown" : "json";
    }
    if (!format.equals("json") && !format.equals("markdown") && !format.equals("html")) {
      Json.error(ctx, 400, "format must be json, markdown or html, got '" + format + "'");
      return;
    }
    Duration wanted = span;
    String as = format;
    ctx.vertx()
        .executeBlocking(() -> renderer.render(name, wanted), false)
        .onSuccess(
            report -> {
              if (report == null) {
                Json.error(ctx, 404, "no report named '" + name + "' in rollguard.yaml");
                return;
              }
              String type =
                  switch (as) {
                    case "markdown" -> "text/markdown; charset=utf-8";
                    case "html" -> "text/html; charset=utf-8";
                    default -> "application/json";
                  };
              String body =
                  switch (as) {
                    case "markdown" -> report.markdown();
                    case "html" -> report.html();
                    default -> report.json();
                  };
              ctx.response()
                  .putHeader("Content-Type", type)
                  .putHeader("Cache-Control", "no-store")
                  .end(Buffer.buffer(body));
            })
        .onFailure(ctx::fail);
  }
}
