package io.rollguard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestStats;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.Selector;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A range query's step reads the same as {@code /api/v1/query} read live at that time, over the
 * same samples: each point is the trailing window ending at its step, per {@code by} group.
 */
class QueryRangeTest {

  private static final long T0 = 1_763_900_000_000L;
  private static final long WINDOW = 30_000;

  @Test
  void everyStepEqualsTheLiveQueryAtThatTime() {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 100, 100);
    Map<String, RequestWindow> stages =
        Map.of(
            "canary", registry.requests(Labels.of("service", "checkout", "stage", "canary")),
            "stable", registry.requests(Labels.of("service", "checkout", "stage", "stable")));
    RequestWindow other = registry.requests(Labels.of("service", "other", "stage", "canary"));
    Random random = new Random(42);
    LatencyScratch scratch = new LatencyScratch();
    Map<Long, Map<String, RequestStats>> live = new HashMap<>();
    long end = T0 + 120_000;
    for (long t = T0; t <= end; t += 1_000) {
      for (var e : stages.entrySet()) {
        RequestSamples samples = new RequestSamples();
        int n = random.nextInt(e.getKey().equals("canary") ? 5 : 40);
        for (int i = 0; i < n; i++) {
          long at = t + random.nextInt(1_000); // all in second t, which is complete at t + 999
          samples.add(at, 1_000 + random.nextInt(400_000), random.nextInt(50) == 0);
        }
        e.getValue().record(samples, 0, samples.size(), t + 999, scratch);
      }
      RequestSamples noise = new RequestSamples();
      noise.add(t, 9_000_000, true);
      other.record(noise, 0, 1, t + 999, scratch); // not selected: must not show up
      if ((t - T0) % 10_000 == 0) {
        Map<String, RequestStats> now = new HashMap<>();
        for (var e : stages.entrySet()) {
          RequestAccumulator acc = new RequestAccumulator();
          e.getValue().addTo(acc, t + 999, WINDOW);
          now.put(e.getKey(), acc.stats(WINDOW));
        }
        live.put(t + 999, now);
      }
    }

    QueryRangeHandler.Range range =
        new QueryRangeHandler.Range(
            Selector.parse(Map.of("service", "checkout")),
            List.of("stage"),
            WINDOW,
            T0 + 10_999,
            end + 999,
            10_000);
    JsonObject answer = QueryRangeHandler.query(range, registry);

    JsonArray results = answer.getJsonArray("results");
    assertThat(results).hasSize(2);
    int exact = 0;
    for (int r = 0; r < 2; r++) {
      JsonObject result = results.getJsonObject(r);
      String stage = result.getJsonObject("labels").getString("stage");
      JsonArray t = result.getJsonArray("t");
      assertThat(t).hasSize(12);
      for (int k = 0; k < t.size(); k++) {
        long at = t.getLong(k);
        RequestStats expected = live.get(at).get(stage);
        long count = result.getJsonArray("count").getLong(k);
        if (at - WINDOW >= end + 999 - 60_000) {
          // still in 1 s slices: exactly what the live query saw
          exact++;
          assertThat(count).as("count at %s", at).isEqualTo(expected.count());
          assertThat(result.getJsonArray("errors").getLong(k)).isEqualTo(expected.errors());
          assertThat(result.getJsonArray("p95").getDouble(k)).isEqualTo(expected.p95Millis());
          assertThat(result.getJsonArray("p50").getDouble(k)).isEqualTo(expected.p50Millis());
        } else {
          // merged into 10 s slices since: the window starts at the next boundary, never earlier
          assertThat(count).as("count at %s", at).isBetween(0L, expected.count());
        }
      }
    }
    assertThat(exact).isEqualTo(2 * 4);
    assertThat(answer.getString("step")).isEqualTo("10s");
    assertThat(answer.getString("window")).isEqualTo("30s");
  }

  @Test
  void aSelectionWithNoSeriesAnswersOneEmptyResult() {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 10, 10);
    JsonObject answer =
        QueryRangeHandler.query(
            new QueryRangeHandler.Range(
                Selector.parse(Map.of("service", "none")),
                List.of(),
                WINDOW,
                T0,
                T0 + 2_000,
                1_000),
            registry);
    JsonObject only = answer.getJsonArray("results").getJsonObject(0);
    assertThat(only.getJsonArray("count").getList()).containsExactly(0L, 0L, 0L);
    assertThat(only.getJsonArray("p95").getList()).containsExactly(null, null, null);
  }
}
