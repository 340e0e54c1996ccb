package io.rollguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.window.CheckStats;
import io.rollguard.window.GaugeStats;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  private static final long T0 = 1_763_900_000_000L;
  private static final long MINUTE = 60_000;

  /** Inputs over real windows: one request series, and gauges/checks by name. */
  private record WindowInputs(
      RequestAccumulator requests,
      Map<String, GaugeStats> gauges,
      Map<String, CheckStats> checks,
      Inputs baseline)
      implements Inputs {
    @Override
    public long count() {
      return requests.count();
    }

    @Override
    public long errors() {
      return requests.errors();
    }

    @Override
    public double windowSeconds() {
      return MINUTE / 1000.0;
    }

    @Override
    public double quantileMillis(double q) {
      return requests.quantileMillis(q);
    }

    @Override
    public double meanMillis() {
      return requests.meanMillis();
    }

    @Override
    public GaugeStats gauge(String name) {
      return gauges.getOrDefault(
          name, new GaugeStats(0, Double.NaN, Long.MIN_VALUE, Double.NaN, Double.NaN, Double.NaN));
    }

    @Override
    public CheckStats check(String name) {
      return checks.getOrDefault(name, new CheckStats(0, 0, 0));
    }
  }

  /**
   * A window holding {@code n} requests of {@code latencyMillis}, {@code failed} of them errors.
   */
  private static RequestAccumulator requests(int n, double latencyMillis, int failed) {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 10, 10);
    RequestSamples samples = new RequestSamples();
    for (int i = 0; i < n; i++) {
      samples.add(T0, Math.round(latencyMillis * 1000), i < failed);
    }
    var window = registry.requests(Labels.of("service", "s"));
    window.record(samples, 0, n, T0, new LatencyScratch());
    RequestAccumulator acc = new RequestAccumulator();
    window.addTo(acc, T0, MINUTE);
    return acc;
  }

  private static Inputs inputs(RequestAccumulator requests) {
    return new WindowInputs(requests, Map.of(), Map.of(), null);
  }

  private static Truth test(String when, Inputs in, long minSamples) throws ExprException {
    return Evaluator.test(ExprParser.parseCondition(when), in, minSamples);
  }

  @Test
  void aBreachIsTrueAndAHealthyWindowIsFalse() throws ExprException {
    Inputs slow = inputs(requests(200, 800, 10));
    assertThat(test("p95 > 500ms", slow, 1)).isEqualTo(Truth.TRUE);
    assertThat(test("error_rate > 1%", slow, 1)).isEqualTo(Truth.TRUE); // 5%
    Inputs fast = inputs(requests(200, 100, 0));
    assertThat(test("p95 > 500ms", fast, 1)).isEqualTo(Truth.FALSE);
    assertThat(test("error_rate > 1%", fast, 1)).isEqualTo(Truth.FALSE);
  }

  @Test
  void anEmptyWindowIsNoDataForQuantilesAndRatiosButZeroForCounts() throws ExprException {
    Inputs empty = inputs(new RequestAccumulator());
    assertThat(test("p95 > 500ms", empty, 1)).isEqualTo(Truth.NO_DATA);
    assertThat(test("error_rate > 1%", empty, 1)).isEqualTo(Truth.NO_DATA);
    // A negated comparison without data is still no data, never a violation.
    assertThat(test("not (p95 > 500ms)", empty, 1)).isEqualTo(Truth.NO_DATA);
    // Absence can be alerted on.
    assertThat(test("request_rate < 1", empty, 1)).isEqualTo(Truth.TRUE);
    assertThat(test("count == 0 or p95 > 1s", empty, 1)).isEqualTo(Truth.TRUE);
    assertThat(test("count == 0 and p95 > 1s", empty, 1)).isEqualTo(Truth.NO_DATA);
    assertThat(test("count > 0 and p95 > 1s", empty, 1)).isEqualTo(Truth.FALSE);
  }

  @Test
  void fewerRequestsThanMinSamplesIsNoData() throws ExprException {
    Inputs few = inputs(requests(50, 900, 50));
    assertThat(test("error_rate > 1%", few, 100)).isEqualTo(Truth.NO_DATA);
    assertThat(test("p99 > 500ms", few, 100)).isEqualTo(Truth.NO_DATA);
    assertThat(test("count < 100", few, 100)).isEqualTo(Truth.TRUE);
    assertThat(test("error_rate > 1%", few, 50)).isEqualTo(Truth.TRUE);
  }

  @Test
  void baselineComparesAgainstTheBaselineSelector() throws ExprException {
    Inputs stable = inputs(requests(500, 200, 0));
    Inputs canary = new WindowInputs(requests(500, 500, 0), Map.of(), Map.of(), stable);
    assertThat(test("p95 > 1.10 * baseline(p95)", canary, 200)).isEqualTo(Truth.TRUE);
    Inputs similar = new WindowInputs(requests(500, 210, 0), Map.of(), Map.of(), stable);
    assertThat(test("p95 > 1.10 * baseline(p95)", similar, 200)).isEqualTo(Truth.FALSE);
    // Low baseline traffic decides nothing.
    Inputs quietBaseline =
        new WindowInputs(requests(500, 500, 0), Map.of(), Map.of(), inputs(requests(20, 200, 0)));
    assertThat(test("p95 > 1.10 * baseline(p95)", quietBaseline, 200)).isEqualTo(Truth.NO_DATA);
    // No baseline selector at all: no data.
    assertThat(test("p95 > baseline(p95)", inputs(requests(500, 500, 0)), 1))
        .isEqualTo(Truth.NO_DATA);
  }

  @Test
  void gaugesAndChecksAreReadByName() throws ExprException {
    Inputs in =
        new WindowInputs(
            new RequestAccumulator(),
            Map.of("test_pass_rate", new GaugeStats(3, 0.97, T0, 0.95, 0.99, 0.97)),
            Map.of("health", new CheckStats(10, 6, 5)),
            null);
    assertThat(test("gauge(\"test_pass_rate\") >= 98%", in, 1)).isEqualTo(Truth.FALSE);
    assertThat(test("gauge_min(\"test_pass_rate\") < 96%", in, 1)).isEqualTo(Truth.TRUE);
    assertThat(test("consecutive_failures(\"health\") >= 5", in, 1)).isEqualTo(Truth.TRUE);
    assertThat(test("check_failure_rate(\"health\") > 50%", in, 1)).isEqualTo(Truth.TRUE);
    assertThat(test("gauge(\"missing\") < 1", in, 1)).isEqualTo(Truth.NO_DATA);
    assertThat(test("check_failure_rate(\"missing\") > 0", in, 1)).isEqualTo(Truth.NO_DATA);
    assertThat(test("consecutive_failures(\"missing\") >= 1", in, 1)).isEqualTo(Truth.FALSE);
  }

  @Test
  void arithmeticFollowsNumbersAndDivisionByZeroIsNoData() throws ExprException {
    Inputs in = inputs(requests(100, 100, 0));
    assertThat(Evaluator.value(ExprParser.parse("p50 * 2 + 1s"), in, 1)).isBetween(1199.0, 1201.0);
    assertThat(test("errors / count > 0", in, 1)).isEqualTo(Truth.FALSE);
    assertThat(test("count / errors > 0", in, 1)).isEqualTo(Truth.NO_DATA);
  }
}
