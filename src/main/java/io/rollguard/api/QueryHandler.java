package io.rollguard.api;

import io.rollguard.clock.Clock;
import io.rollguard.config.Durations;
import io.rollguard.window.Labels;
import io.rollguard.window.Latency;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/query?service=checkout&stage=canary&window=5m[&by=stage]}: request statistics
 * of the selected series over a trailing window, merged per {@code by} group. Every parameter but
 * {@code window} and {@code by} is a label matcher (exact, {@code ~regex} or {@code !not}).
 */
public final class QueryHandler implements Handler<RoutingContext> {

  static final Set<String> RESERVED = Set.of("window", "by");
  private static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

  private final SeriesRegistry registry;
  private final Clock clock;

  public QueryHandler(SeriesRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Duration window;
    Selector selector;
    try {
      window = Duration.ofMillis(windowMillis(ctx, registry.settings().maxWindowMillis()));
      selector = Selector.parse(matchers(ctx, RESERVED));
    } catch (IllegalArgumentException e) {
      Json.error(ctx, 400, e.getMessage());
      return;
    }
    List<String> by = by(ctx);
    long now = clock.wallTimeMillis();
    Json.offLoop(ctx, () -> query(selector, by, now, window), null);
  }

  private JsonObject query(Selector selector, List<String> by, long nowMillis, Duration window) {
    long windowMillis = window.toMillis();
    Map<Labels, RequestAccumulator> groups = new LinkedHashMap<>();
    Map<Labels, Integer> seriesCount = new LinkedHashMap<>();
    for (RequestWindow series : registry.requestWindows()) {
      if (!selector.matches(series.labels())) {
        continue;
      }
      Labels group = series.labels().project(by);
      series.addTo(
          groups.computeIfAbsent(group, g -> new RequestAccumulator()), nowMillis, windowMillis);
      seriesCount.merge(group, 1, Integer::sum);
    }
    if (groups.isEmpty() && by.isEmpty()) {
      groups.put(Labels.EMPTY, new RequestAccumulator());
      seriesCount.put(Labels.EMPTY, 0);
    }
    JsonArray results = new JsonArray();
    double widest = Latency.QUANTILE_RELATIVE_ERROR;
    for (var e : groups.entrySet()) {
      RequestStats s = e.getValue().stats(windowMillis);
      widest = Math.max(widest, s.quantileRelativeError());
      results.add(
          new JsonObject()
              .put("labels", new JsonObject(Map.copyOf(e.getKey().asMap())))
              .put("series", seriesCount.get(e.getKey()))
              .put("count", s.count())
              .put("errors", s.errors())
              .put("error_rate", Json.number(s.errorRate()))
              .put("success_rate", Json.number(s.successRate()))
              .put("request_rate", s.requestRatePerSecond())
              .put("min", Json.number(s.minMillis()))
              .put("p50", Json.number(s.p50Millis()))
              .put("p75", Json.number(s.p75Millis()))
              .put("p90", Json.number(s.p90Millis()))
              .put("p95", Json.number(s.p95Millis()))
              .put("p99", Json.number(s.p99Millis()))
              .put("p999", Json.number(s.p999Millis()))
              .put("max", Json.number(s.maxMillis()))
              .put("mean", Json.number(s.meanMillis()))
              .put("quantile_relative_error", Json.number(s.quantileRelativeError())));
    }
    return new JsonObject()
        .put("window", Durations.format(window))
        .put("time", nowMillis)
        .put("quantile_relative_error", Json.number(widest))
        .put("results", results);
  }

  /** {@code ?window=5m} in milliseconds (default 1 min), within 1 ms .. {@code maxWindowMillis}. */
  static long windowMillis(RoutingContext ctx, long maxWindowMillis) {
    String w = ctx.request().getParam("window");
    long window = w == null ? DEFAULT_WINDOW.toMillis() : millis(w, "window");
    if (window <= 0 || window > maxWindowMillis) {
      throw new IllegalArgumentException(
          "window must be between 1s and max_window ("
              + Durations.format(Duration.ofMillis(maxWindowMillis))
              + ")");
    }
    return window;
  }

  /** A duration parameter in milliseconds; one too long for a long is refused too. */
  static long millis(String text, String name) {
    try {
      return Durations.parse(text).toMillis();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(name + " is too long: '" + text + "'");
    }
  }

  /** The label names of {@code ?by=stage,version}; empty without it. */
  static List<String> by(RoutingContext ctx) {
    String byParam = ctx.request().getParam("by");
    return byParam == null || byParam.isBlank()
        ? List.of()
        : Arrays.stream(byParam.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** The label matchers among a request's query parameters. */
  static Map<String, String> matchers(RoutingContext ctx, Set<String> reserved) {
    Map<String, String> matchers = new LinkedHashMap<>();
    for (var e : ctx.queryParams()) {
      if (!reserved.contains(e.getKey())) {
        if (matchers.put(e.getKey(), e.getValue()) != null) {
          throw new IllegalArgumentException("label '" + e.getKey() + "' is given twice");
        }
      }
    }
    return matchers;
  }
}
