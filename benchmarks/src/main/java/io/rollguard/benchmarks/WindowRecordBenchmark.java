package io.rollguard.benchmarks;

import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
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
 * Recording into one series' window: 1,000 lognormal latencies handed over in runs of {@code
 * runLength}, as ingest does. Reported per sample. Runs of 1,000 are counted densely in the
 * scratch; runs of 10 are sorted. {@code lateSeconds} 0: stamped in the current second (an open
 * slice); 30: stamped 30 s before the newest sample (a sealed slice, reopened).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WindowRecordBenchmark {

  private static final int SAMPLES = 1_000;
  private static final long T0 = 1_763_900_000_000L;

  @Param({"1000", "10"})
  int runLength;

  @Param({"0", "30"})
  int lateSeconds;

  private final LatencyScratch scratch = new LatencyScratch();
  private final RequestSamples samples = new RequestSamples();
  private RequestWindow window;
  private long second;

  @Setup
  public void setUp() {
    window =
        new SeriesRegistry(WindowSettings.defaults(), 10, 10)
            .requests(Labels.of("service", "bench"));
    Random random = new Random(1);
    for (int i = 0; i < SAMPLES; i++) {
      samples.add(
          T0, (long) (Math.exp(4 + 0.6 * random.nextGaussian()) * 1000), random.nextInt(100) == 0);
    }
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public boolean record() {
    // Each invocation is one more second; its samples go to that second or lateSeconds before it.
    long now = T0 + 1_000 * second++;
    long stamp = now - 1_000L * lateSeconds;
    samples.restamp(now);
    window.record(samples, 0, 1, now, scratch); // the newest slice is now
    samples.restamp(stamp);
    boolean ok = true;
    for (int from = 0; from < SAMPLES; from += runLength) {
      ok &= window.record(samples, from, Math.min(SAMPLES, from + runLength), now, scratch);
    }
    return ok;
  }
}
