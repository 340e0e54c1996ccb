package io.rollguard.benchmarks;

import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a many-series body costs the windows (issue #12): samples into each of {@code series}
 * windows, {@code perSeries} at a time, a millisecond apart, so every series takes 1,000 samples a
 * second and seals a slice every second. {@code maxWindow} 15m keeps one tier of 1 s slices, 1h
 * (the default) adds the 1 min tier. Reported per sample.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ManySeriesRecordBenchmark {

  private static final long T0 = 1_763_900_000_000L;

  @Param({"1000"})
  int series;

  @Param({"15m", "1h"})
  String maxWindow;

  /** Samples per series handed over at once (1: as a many-series body comes; 20: batched). */
  @Param({"1", "20"})
  int perSeries;

  private final LatencyScratch scratch = new LatencyScratch();
  private final RequestSamples samples = new RequestSamples();
  private RequestWindow[] windows;
  private long[] latencies;
  private long body;

  @Setup
  public void setUp() {
    SeriesRegistry registry =
        new SeriesRegistry(
            WindowSettings.of(
                io.rollguard.config.Durations.parse(maxWindow), Duration.ofSeconds(10)),
            series,
            series);
    windows = new RequestWindow[series];
    for (int i = 0; i < series; i++) {
      windows[i] = registry.requests(Labels.of("service", "bench", "endpoint", "e" + i));
    }
    Random random = new Random(1);
    latencies = new long[1 << 16];
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = (long) (40_000 * Math.exp(0.5 * random.nextGaussian()));
    }
  }

  @Benchmark
  @OperationsPerInvocation(20_000)
  public boolean recordIntoEachSeries() {
    boolean ok = true;
    for (int round = 0; round < 20 / perSeries; round++) {
      long now = T0 + body;
      body += perSeries;
      int base = (int) (body * 1_000);
      for (int i = 0; i < series; i++) {
        samples.clear();
        for (int k = 0; k < perSeries; k++) {
          samples.add(now + k, latencies[(base + i * 31 + k) & (latencies.length - 1)], false);
        }
        ok &= windows[i].record(samples, 0, perSeries, now + perSeries, scratch);
      }
    }
    return ok;
  }
}
