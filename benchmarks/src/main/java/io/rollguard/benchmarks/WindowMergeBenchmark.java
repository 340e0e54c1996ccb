package io.rollguard.benchmarks;

import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestStats;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.util.ArrayList;
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
 * Reading windows: merge the trailing window of 100 series (each fed {@code perSecond} samples a
 * second for 5 minutes) into one histogram and read count, error rate and quantiles.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WindowMergeBenchmark {

  private static final long T0 = 1_763_900_000_000L;
  private static final int SERIES = 100;
  private static final long FIVE_MINUTES = 300_000;

  @Param({"10", "100"})
  int perSecond;

  @Param({"60000", "300000"})
  long windowMillis;

  /** true: a rule's repeated reads (running sums); false: a one-off query, slice by slice. */
  @Param({"true", "false"})
  boolean running;

  private final List<RequestWindow> windows = new ArrayList<>();
  private final RequestAccumulator accumulator = new RequestAccumulator();
  private long now;

  @Setup
  public void setUp() {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    Random random = new Random(3);
    for (int s = 0; s < SERIES; s++) {
      RequestWindow w = registry.requests(Labels.of("service", "bench", "pod", "p" + s));
      for (long t = T0; t < T0 + FIVE_MINUTES; t += 1_000) {
        samples.clear();
        for (int i = 0; i < perSecond; i++) {
          samples.add(
              t,
              (long) (Math.exp(4 + 0.6 * random.nextGaussian()) * 1000),
              random.nextInt(100) == 0);
        }
        w.record(samples, 0, samples.size(), t, scratch);
      }
      windows.add(w);
    }
    now = T0 + FIVE_MINUTES - 1;
  }

  @Benchmark
  public RequestStats merge() {
    accumulator.reset();
    for (RequestWindow w : windows) {
      if (running) {
        w.addToRunning(accumulator, now, windowMillis);
      } else {
        w.addTo(accumulator, now, windowMillis);
      }
    }
    return accumulator.stats(windowMillis);
  }
}
