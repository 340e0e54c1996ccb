package io.rollguard.benchmarks;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.ManualClock;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One evaluation tick over 10,000 rule instances: a rule with {@code by: [pod]} over 10,000 pods,
 * each fed 10 lognormal samples a second for the whole window, evaluating {@code p95 > 500ms or
 * error_rate > 1%} (two SLIs, so every instance merges its window). Target: 50 ms on one core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgs = {"-Xms4g", "-Xmx4g"})
public class RuleEngineBenchmark {

  private static final long T0 = 1_763_900_000_000L;
  private static final int INSTANCES = 10_000;

  @Param({"1m", "5m"})
  String window;

  private RuleEngine engine;
  private long now;

  @Setup
  public void setUp() {
    ManualClock clock = new ManualClock(T0);
    long windowMillis = io.rollguard.config.Durations.parse(window).toMillis();
    SeriesRegistry registry =
        new SeriesRegistry(
            WindowSettings.of(Duration.ofMinutes(5), Duration.ofSeconds(10)), 20_000, 20_000);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    Random random = new Random(1);
    RequestWindow[] windows = new RequestWindow[INSTANCES];
    for (int p = 0; p < INSTANCES; p++) {
      windows[p] = registry.requests(Labels.of("service", "bench", "pod", "p" + p));
    }
    for (long t = T0; t < T0 + windowMillis; t += 1_000) {
      for (RequestWindow w : windows) {
        samples.clear();
        for (int i = 0; i < 10; i++) {
          samples.add(
              t,
              (long) (Math.exp(4 + 0.6 * random.nextGaussian()) * 1000),
              random.nextInt(200) == 0);
        }
        w.record(samples, 0, samples.size(), t, scratch);
      }
    }
    now = T0 + windowMillis - 1;
    // A 1 ms interval lets every tick be due while time moves only 1 ms: the windows stay full
    // for the whole run (a 1 s step would empty a 1 min window within 60 ticks).
    engine = new RuleEngine(registry, Duration.ofMillis(1), clock);
    RuleLoader.Result rules =
        RuleLoader.load(
            List.of(
                new RuleLoader.Source(
                    "bench.yaml",
                    "rules:\n  - {name: pods, select: {service: bench}, by: [pod], window: "
                        + window
                        + ", when: p95 > 500ms or error_rate > 1%}\n")),
            Duration.ofMinutes(5),
            null);
    engine.setRules(rules.rules(), now);
    engine.tick(now); // the first tick groups the series; later ticks reuse that
  }

  @Benchmark
  public List<AlertEvent> tick() {
    now += 1;
    return engine.tick(now);
  }
}
