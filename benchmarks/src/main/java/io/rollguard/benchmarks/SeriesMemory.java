package io.rollguard.benchmarks;

import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;

/**
 * Memory per active series: fills {@code series} request series with {@code perSecond} lognormal
 * samples a second for one full window on virtual time, then reports the heap they hold (used heap
 * after GC, minus the same before) divided by the series count. Run with a fixed heap, e.g. {@code
 * java -Xms4g -Xmx4g}. Arguments: series, samples per second per series, max window (e.g. 5m), and
 * {@code read} to read every series once over the whole window first, as a rule does (which gives
 * each series a running sum).
 */
public final class SeriesMemory {

  private static final long T0 = 1_763_900_000_000L;

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Duration window =
        args.length > 2 ? io.rollguard.config.Durations.parse(args[2]) : Duration.ofMinutes(5);
    boolean read = args.length > 3 && args[3].equals("read");

    long before = Heap.usedAfterGc();
    SeriesRegistry registry =
        new SeriesRegistry(WindowSettings.of(window, Duration.ofSeconds(10)), series, series);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    Random random = new Random(5);
    RequestWindow[] windows = new RequestWindow[series];
    for (int s = 0; s < series; s++) {
      windows[s] =
          registry.requests(Labels.of("service", "mem", "pod", "p" + s, "stage", "canary"));
    }
    long seconds = window.toSeconds();
    for (long t = 0; t < seconds; t++) {
      long now = T0 + t * 1_000;
      for (RequestWindow w : windows) {
        samples.clear();
        for (int i = 0; i < perSecond; i++) {
          samples.add(
              now,
              (long) (Math.exp(4 + 0.6 * random.nextGaussian()) * 1000),
              random.nextInt(100) == 0);
        }
        w.record(samples, 0, samples.size(), now, scratch);
      }
    }
    if (read) {
      io.rollguard.window.RequestAccumulator acc = new io.rollguard.window.RequestAccumulator();
      for (RequestWindow w : windows) {
        acc.reset();
        w.addToRunning(acc, T0 + seconds * 1_000 - 1, window.toMillis());
      }
    }
    long after = Heap.usedAfterGc();
    long estimate = 0;
    for (RequestWindow w : windows) {
      estimate += w.footprintBytes();
    }
    System.out.printf(
        Locale.ROOT,
        "%d series, %d samples/s each, %s window%s: %.1f KB per series on the heap (estimate %.1f KB), %.0f MB in all%n",
        series,
        perSecond,
        io.rollguard.config.Durations.format(window),
        read ? ", read by a rule" : "",
        (after - before) / 1024.0 / series,
        estimate / 1024.0 / series,
        (after - before) / 1e6);
    if (registry.size() != series) {
      throw new IllegalStateException("lost series");
    }
  }
}
