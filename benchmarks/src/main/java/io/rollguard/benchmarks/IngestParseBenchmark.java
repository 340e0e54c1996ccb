package io.rollguard.benchmarks;

import io.rollguard.clock.ManualClock;
import io.rollguard.ingest.IngestLimits;
import io.rollguard.ingest.IngestOutcome;
import io.rollguard.ingest.Ingestor;
import io.rollguard.ingest.MalformedBodyException;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
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
 * The ingest core without HTTP: parse a 1,000-request JSON batch, validate it and record it into
 * its series' window. Reported per sample; the inverse is samples per second per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IngestParseBenchmark {

  private static final long T0 = 1_763_900_000_000L;
  private static final int SAMPLES = 1_000;

  /** With or without a per-sample time stamp. */
  @Param({"false", "true"})
  boolean timestamps;

  /**
   * {@code one}: 1,000 requests of one series, labels at batch level; {@code many}: issue #12's
   * shape, 10 batches of 100 requests each with its own endpoint/stage labels (1,000 series).
   */
  @Param({"one", "many"})
  String series;

  private final ManualClock clock = new ManualClock(T0);
  private Ingestor ingestor;
  private byte[] body;

  @Setup
  public void setUp() {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 10_000, 10_000);
    ingestor =
        new Ingestor(
            registry, new IngestLimits(8 << 20, 16, 128, 10_000, 3_600_000, 1 << 20), clock);
    body =
        series.equals("many")
            ? io.rollguard.benchmarks.load.ManySeriesBodies.jsonBody(new java.util.Random(7))
            : Batches.requestBatch("bench", "s-0001", SAMPLES, timestamps ? T0 : -1, 7);
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public IngestOutcome parseAndRecord() throws MalformedBodyException {
    return ingestor.ingestJson(body, body.length, service -> true);
  }
}
