package io.rollguard.benchmarks;

import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rotation: every operation writes into the next second, so the window claims a new slot and resets
 * what that slot held a ring ago (fine and coarse tiers). This is the whole cost of moving a window
 * forward; there is no timer-driven rotation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WindowRotateBenchmark {

  private static final long T0 = 1_763_900_000_000L;

  private final LatencyScratch scratch = new LatencyScratch();
  private final RequestSamples samples = new RequestSamples();
  private RequestWindow window;
  private long now = T0;

  @Setup
  public void setUp() {
    window =
        new SeriesRegistry(WindowSettings.defaults(), 10, 10)
            .requests(Labels.of("service", "bench"));
    samples.add(T0, 50_000, false);
    // Fill both rings once so that every slot claimed afterwards has something to reset.
    for (int s = 0; s < 3_700; s++) {
      advance();
    }
  }

  @Benchmark
  public boolean advance() {
    now += 1_000;
    samples.restamp(now);
    return window.record(samples, 0, 1, now, scratch);
  }
}
