package io.rollguard.api;

import io.rollguard.clock.Clock;
import io.rollguard.config.Durations;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestStats;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.Selector;
import io.rollguard.window.SeriesRegistry;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/query_range?service=checkout&window=5m&by=stage&start=&end=&step=10s}: the
 * request statistics of {@code /api/v1/query} at every step from {@code start} to {@code end}, each
 * over the trailing window ending at that step, read from the windows' slices. Columnar answer (one
 * array per statistic), for charts and scripts.
 */
public final class QueryRangeHandler implements Handler<RoutingContext> {

  /** At most this many steps per query, as Prometheus allows. */
  static final int MAX_POINTS = 11_000;

  /** At most this many window reads (series x points) per query. */
  static final long MAX_SERIES_POINTS = 2_000_000;

  private static final Set<String> RESERVED = Set.of("window", "by", "start", "end", "step");
  private static final long DEFAULT_RANGE_MILLIS = 15 * 60_000L;
  private static final int DEFAULT_POINTS = 300;

  private final SeriesRegistry registry;
  private final Clock clock;

  public QueryRangeHandler(SeriesRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /** What a range query asks for. */
  record Range(
      Selector selector, List<String> by, long windowMillis, long start, long end, long step) {}

  @Override
  public void handle(RoutingContext ctx) {
    Range range;
    try {
      range = parse(ctx, clock.wallTimeMillis(), registry.settings().maxWindowMillis());
    } catch (IllegalArgumentException e) {
      Json.error(ctx, 400, e.getMessage());
      return;
    }
    Json.offLoop(ctx, () -> query(range), null); // never null: one result at least
  }

  static Range parse(RoutingContext ctx, long nowMillis, long maxWindowMillis) {
    long window = QueryHandler.windowMillis(ctx, maxWindowMillis);
    long end = time(ctx.request().getParam("end"), "end", nowMillis);
    long start =
        time(ctx.request().getParam("start"), "start", Math.max(0, end - DEFAULT_RANGE_MILLIS));
    if (start > end) {
      throw new IllegalArgumentException("start must not be after end");
    }
    String s = ctx.request().getParam("step");
    long step =
        s == null
            ? Math.max(1_000, ((end - start) / DEFAULT_POINTS + 999) / 1_000 * 1_000)
            : QueryHandler.millis(s, "step");
    if (step <= 0) {
      throw new IllegalArgumentException("step must be positive"); // the points: query() checks
    }
    List<String> by = QueryHandler.by(ctx);
    return new Range(
        Selector.parse(QueryHandler.matchers(ctx, RESERVED)), by, window, start, end, step);
  }

  /** The latest time a query may name: the year 9999 (also keeps every difference in range). */
  private static final long LATEST_MILLIS = 253_402_300_799_999L;

  /** Epoch milliseconds (0 .. year 9999) or RFC 3339; {@code fallback} when absent. */
  static long time(String text, String name, long fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    long millis;
    try {
      millis = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      try {
        millis = Instant.parse(text.trim()).toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e2) {
        throw new IllegalArgumentException(
            name
                + " must be epoch milliseconds or RFC 3339 (2026-12-01T10:00:00Z), got '"
                + text
                + "'");
      }
    }
    if (millis < 0 || millis > LATEST_MILLIS) {
      throw new IllegalArgumentException(
          name + " must lie between 1970 and the year 9999, got '" + text + "'");
    }
    return millis;
  }

  static JsonObject query(Range range, SeriesRegistry registry) {
    Map<Labels, List<RequestWindow>> groups = new LinkedHashMap<>();
    for (RequestWindow series : registry.requestWindows()) {
      if (range.selector().matches(series.labels())) {
        groups
            .computeIfAbsent(series.labels().project(range.by()), g -> new ArrayList<>())
            .add(series);
      }
    }
    if (groups.isEmpty() && range.by().isEmpty()) {
      groups.put(Labels.EMPTY, List.of());
    }
    long span = range.end() - range.start(); // both within 0 .. year 9999: no overflow
    if (span < 0 || span / range.step() + 1 > MAX_POINTS) {
      throw new IllegalArgumentException(
          "at most " + MAX_POINTS + " points per query: raise step or narrow start..end");
    }
    int points = (int) (span / range.step()) + 1;
    // an empty group still costs a point each: count it as one series
    long matched = groups.values().stream().mapToLong(g -> Math.max(1, g.size())).sum();
    if (matched * points > MAX_SERIES_POINTS) {
      throw new IllegalArgumentException(
          matched
              + " series x "
              + points
              + " points is more than "
              + MAX_SERIES_POINTS
              + " window reads: select fewer series, raise step or narrow start..end");
    }
    RequestAccumulator acc = new RequestAccumulator();
    JsonArray results = new JsonArray();
    for (var g : groups.entrySet()) {
      Columns c = new Columns();
      for (int k = 0; k < points; k++) {
        long t = range.start() + k * range.step();
        acc.reset();
        for (RequestWindow series : g.getValue()) {
          series.addTo(acc, t, range.windowMillis());
        }
        c.add(t, acc.stats(range.windowMillis()));
      }
      results.add(c.toJson(g.getKey()));
    }
    return new JsonObject()
        .put("window", Durations.format(Duration.ofMillis(range.windowMillis())))
        .put("start", range.start())
        .put("end", range.end())
        .put("step", Durations.format(Duration.ofMillis(range.step())))
        .put("results", results);
  }

  private JsonObject query(Range range) {
    return query(range, registry);
  }

  /** One group's statistics, one array each. */
  private static final class Columns {
    final JsonArray t = new JsonArray();
    final JsonArray count = new JsonArray();
    final JsonArray errors = new JsonArray();
    final JsonArray errorRate = new JsonArray();
    final JsonArray requestRate = new JsonArray();
    final JsonArray p50 = new JsonArray();
    final JsonArray p95 = new JsonArray();
    final JsonArray p99 = new JsonArray();

    void add(long at, RequestStats s) {
      t.add(at);
      count.add(s.count());
      errors.add(s.errors());
      errorRate.add(Json.number(s.errorRate()));
      requestRate.add(s.requestRatePerSecond());
      p50.add(Json.number(s.p50Millis()));
      p95.add(Json.number(s.p95Millis()));
      p99.add(Json.number(s.p99Millis()));
    }

    JsonObject toJson(Labels labels) {
      return new JsonObject()
          .put("labels", new JsonObject(Map.copyOf(labels.asMap())))
          .put("t", t)
          .put("count", count)
          .put("errors", errors)
          .put("error_rate", errorRate)
          .put("request_rate", requestRate)
          .put("p50", p50)
          .put("p95", p95)
          .put("p99", p99);
    }
  }
}
