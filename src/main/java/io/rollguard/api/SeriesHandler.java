package io.rollguard.api;

import io.rollguard.window.CheckWindow;
import io.rollguard.window.GaugeWindow;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.Selector;
import io.rollguard.window.SeriesKind;
import io.rollguard.window.SeriesRegistry;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/series[?service=...&kind=requests|gauge|check&limit=1000]}: live series with
 * their labels and when data last arrived for them. Label parameters select, as in queries.
 */
public final class SeriesHandler implements Handler<RoutingContext> {

  private static final Set<String> RESERVED = Set.of("kind", "limit");
  private static final int DEFAULT_LIMIT = 1_000;

  private final SeriesRegistry registry;

  public SeriesHandler(SeriesRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Selector selector;
    try {
      selector = Selector.parse(QueryHandler.matchers(ctx, RESERVED));
    } catch (IllegalArgumentException e) {
      Json.error(ctx, 400, e.getMessage());
      return;
    }
    String kindParam = ctx.request().getParam("kind");
    SeriesKind only = kindParam == null ? null : kindOf(kindParam);
    if (kindParam != null && only == null) {
      Json.error(ctx, 400, "kind must be requests, gauge or check");
      return;
    }
    int limit = limitOf(ctx.request().getParam("limit"));
    if (limit < 1) {
      Json.error(ctx, 400, "limit must be a whole number >= 1");
      return;
    }
    Json.offLoop(ctx, () -> list(selector, only, limit), null);
  }

  private static SeriesKind kindOf(String text) {
    for (SeriesKind kind : SeriesKind.values()) {
      if (kind.wireName().equals(text.toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    return null;
  }

  private static int limitOf(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private JsonObject list(Selector selector, SeriesKind only, int limit) {
    JsonArray out = new JsonArray();
    int total = 0;
    if (only == null || only == SeriesKind.REQUESTS) {
      for (RequestWindow w : registry.requestWindows()) {
        if (selector.matches(w.labels()) && total++ < limit) {
          out.add(entry(SeriesKind.REQUESTS, null, w.labels(), w.lastSeenMillis()));
        }
      }
    }
    if (only == null || only == SeriesKind.GAUGE) {
      for (GaugeWindow w : registry.gaugeWindows()) {
        if (selector.matches(w.labels()) && total++ < limit) {
          out.add(entry(SeriesKind.GAUGE, w.name(), w.labels(), w.lastSeenMillis()));
        }
      }
    }
    if (only == null || only == SeriesKind.CHECK) {
      for (CheckWindow w : registry.checkWindows()) {
        if (selector.matches(w.labels()) && total++ < limit) {
          out.add(entry(SeriesKind.CHECK, w.name(), w.labels(), w.lastSeenMillis()));
        }
      }
    }
    return new JsonObject().put("total", total).put("truncated", total > limit).put("series", out);
  }

  private static JsonObject entry(
      SeriesKind kind, String name, Labels labels, long lastSeenMillis) {
    JsonObject o = new JsonObject().put("kind", kind.wireName());
    if (name != null) {
      o.put("name", name);
    }
    return o.put("labels", new JsonObject(Map.copyOf(labels.asMap())))
        .put("last_seen", lastSeenMillis);
  }
}
