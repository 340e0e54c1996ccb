package io.rollguard.benchmarks;

import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.ManualClock;
import io.rollguard.history.EvaluationHistory;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Memory and cost of the status page's history (issue #15), on virtual time: one rule with {@code
 * by: [pod]} over {@code instances} series (default 1,000: the default {@code history.max_tracks}),
 * evaluated every second for 61 minutes with the default 1 h retention, so every track holds a full
 * hour. Prints the heap after GC with the history minus without it, per track and per point, the
 * history's own estimate ({@code rollguard_history_bytes}), and the median time {@code record} adds
 * to one evaluation. Run with a fixed heap, e.g. {@code java -Xms2g -Xmx2g -XX:+UseParallelGC}.
 */
public final class HistoryMemory {

  private static final long T0 = 1_763_900_000_000L;

  public static void main(String[] args) throws Exception {
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int seconds = 61 * 60;
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 1_000_000, 1_000_000);
    RuleEngine engine = new RuleEngine(registry, Duration.ofSeconds(1), new ManualClock(T0));
    RuleLoader.Result rules =
        RuleLoader.load(
            List.of(
                new RuleLoader.Source(
                    "r.yaml",
                    """
                    rules:
                      - name: pod-errors
                        select: {service: checkout}
                        by: [pod]
                        window: 10s
                        when: error_rate > 5%
                    """)),
            Duration.ofHours(1),
            null);
    engine.setRules(rules.rules(), T0);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    samples.add(T0, 10_000, false);
    for (int i = 0; i < instances; i++) {
      registry
          .requests(Labels.of("service", "checkout", "pod", "pod-" + i))
          .record(samples, 0, 1, T0, scratch);
    }
    engine.tick(T0);
    long without = Heap.usedAfterGc();

    EvaluationHistory history = new EvaluationHistory(3_600_000, instances);
    long[] recordNanos = new long[seconds];
    for (int s = 0; s < seconds; s++) {
      long now = T0 + s * 1_000L;
      engine.tick(now);
      long started = System.nanoTime();
      history.record(engine.snapshot());
      recordNanos[s] = System.nanoTime() - started;
    }
    long with = Heap.usedAfterGc();
    long points = history.rule("pod-errors").stream().mapToLong(h -> h.times().length).sum();
    Arrays.sort(recordNanos);
    long bytes = with - without;
    System.out.printf(
        Locale.ROOT,
        "history: %d tracks, %d points (1 h at 1 s): heap %.1f MB (%.1f KB per track, %.1f bytes"
            + " per point); estimate %.1f MB; record() per evaluation: median %.3f ms, p99 %.3f"
            + " ms%n",
        history.tracks(),
        points,
        bytes / 1e6,
        bytes / 1e3 / instances,
        (double) bytes / points,
        history.footprintBytes() / 1e6,
        recordNanos[seconds / 2] / 1e6,
        recordNanos[seconds * 99 / 100] / 1e6);
    if (history.tracks() == 0) {
      throw new IllegalStateException("nothing recorded");
    }
  }
}
