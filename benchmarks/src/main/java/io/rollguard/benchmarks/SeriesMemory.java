package io.rollguard.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.ManualClock;
import io.rollguard.config.Durations;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Memory per active series at a given size: fills {@code series} request series with {@code
 * perSecond} lognormal samples a second (P50 55 ms) each for one full window on virtual time, on
 * two threads, and reports the heap they hold (used heap after GC, minus the same before) divided
 * by the series count, the GC pauses while filling, and then one rule evaluation tick over 10,000
 * of the series ({@code by: [pod]}, {@code p95 > 500ms or error_rate > 1%} over {@code
 * tick_window}), median of 20. Run with a fixed heap, e.g. {@code java -Xms16g -Xmx16g}.
 *
 * <p>Arguments: series, samples per second per series, max window (default 1h), and options {@code
 * reach=5m} (how far back 1 s slices reach: what rules reading 5 min windows set; default 1 min),
 * {@code tick=5m} (the rule's window; {@code tick=none} skips the tick).
 */
public final class SeriesMemory {

  private static final long T0 = 1_763_900_000_000L;
  private static final int POOL = 1 << 20;
  private static final int TICK_INSTANCES = 10_000;

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Duration window = args.length > 2 ? Durations.parse(args[2]) : Duration.ofHours(1);
    Duration reach = Duration.ofMinutes(1);
    String tick = "5m";
    for (int a = 3; a < args.length; a++) {
      if (args[a].startsWith("reach=")) {
        reach = Durations.parse(args[a].substring(6));
      } else if (args[a].startsWith("tick=")) {
        tick = args[a].substring(5);
      } else {
        throw new IllegalArgumentException("unknown option " + args[a]);
      }
    }

    long[] micros = new long[POOL];
    boolean[] errors = new boolean[POOL];
    Random random = new Random(5);
    for (int i = 0; i < POOL; i++) {
      micros[i] = (long) (Math.exp(4 + 0.6 * random.nextGaussian()) * 1000);
      errors[i] = random.nextInt(100) == 0;
    }

    long before = Heap.usedAfterGc();
    WindowSettings settings =
        WindowSettings.of(window, Duration.ofSeconds(10)).withFineReach(reach);
    SeriesRegistry registry = new SeriesRegistry(settings, series, series);
    registry.fineReach().set(reach);
    RequestWindow[] windows = new RequestWindow[series];
    for (int s = 0; s < series; s++) {
      windows[s] =
          registry.requests(
              Labels.of(
                  "service", "mem", "pod", "p" + s, "shard", "s" + s % 10, "stage", "canary"));
    }

    List<Double> pauses = Collections.synchronizedList(new ArrayList<>());
    List<Runnable> stopWatching = watchGcPauses(pauses);
    long seconds = window.toSeconds();
    long started = System.nanoTime();
    Thread[] fillers = new Thread[2];
    for (int f = 0; f < fillers.length; f++) {
      int first = f;
      fillers[f] =
          new Thread(
              () -> {
                LatencyScratch scratch = new LatencyScratch();
                RequestSamples samples = new RequestSamples();
                int at = first * (POOL / 2);
                for (long t = 0; t < seconds; t++) {
                  long now = T0 + t * 1_000;
                  for (int s = first; s < series; s += fillers.length) {
                    samples.clear();
                    for (int i = 0; i < perSecond; i++) {
                      at = (at + 1) & (POOL - 1);
                      samples.add(now + (i * 997L) % 1_000, micros[at], errors[at]);
                    }
                    windows[s].record(samples, 0, samples.size(), now, scratch);
                  }
                }
              });
      fillers[f].start();
    }
    for (Thread filler : fillers) {
      filler.join();
    }
    double fillSeconds = (System.nanoTime() - started) / 1e9;
    stopWatching.forEach(Runnable::run);

    long after = Heap.usedAfterGc();
    long estimate = 0;
    for (RequestWindow w : windows) {
      estimate += w.footprintBytes();
    }
    System.out.printf(
        Locale.ROOT,
        "%d series, %d samples/s each, %s window, 1 s slices reaching %s: %.1f KB per series on the"
            + " heap (estimate %.1f KB), %.0f MB in all; filled in %.0f s (%.1fM samples/s)%n",
        series,
        perSecond,
        Durations.format(window),
        Durations.format(reach),
        (after - before) / 1024.0 / series,
        estimate / 1024.0 / series,
        (after - before) / 1e6,
        fillSeconds,
        series * (double) perSecond * seconds / fillSeconds / 1e6);
    System.out.println("GC pauses while filling: " + summary(pauses));
    if (registry.size() != series) {
      throw new IllegalStateException("lost series");
    }
    if (!tick.equals("none") && series >= TICK_INSTANCES) {
      tick(registry, T0 + seconds * 1_000 - 1, tick);
    }
  }

  /** Times one evaluation tick of a rule with 10,000 instances (shard s0 of 100,000 pods). */
  private static void tick(SeriesRegistry registry, long now, String window) {
    String shard =
        registry.size() == TICK_INSTANCES ? "{service: mem}" : "{service: mem, shard: s0}";
    RuleLoader.Result rules =
        RuleLoader.load(
            List.of(
                new RuleLoader.Source(
                    "bench.yaml",
                    "rules:\n  - {name: pods, select: "
                        + shard
                        + ", by: [pod], window: "
                        + window
                        + ", when: p95 > 500ms or error_rate > 1%}\n")),
            Duration.ofMillis(registry.settings().maxWindowMillis()),
            null);
    if (!rules.valid()) {
      throw new IllegalStateException(rules.problems().toString());
    }
    RuleEngine engine = new RuleEngine(registry, Duration.ofMillis(1), new ManualClock(now));
    engine.setRules(rules.rules(), now);
    List<Double> ticks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      now += 1; // a 1 ms interval: every tick is due and the windows stay full
      long started = System.nanoTime();
      engine.tick(now);
      if (i >= 20) {
        ticks.add((System.nanoTime() - started) / 1e6);
      }
    }
    Collections.sort(ticks);
    System.out.printf(
        Locale.ROOT,
        "evaluation tick, %d instances over %s windows: median %.1f ms (min %.1f, max %.1f, 20"
            + " ticks after 20 to warm up)%n",
        TICK_INSTANCES,
        window,
        ticks.get(ticks.size() / 2),
        ticks.get(0),
        ticks.get(ticks.size() - 1));
  }

  private static List<Runnable> watchGcPauses(List<Double> pauses) {
    List<Runnable> stops = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!(gc instanceof NotificationEmitter emitter)) {
        continue;
      }
      javax.management.NotificationListener listener =
          (n, handback) -> {
            if (!n.getType()
                .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
              return;
            }
            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            if (!info.getGcName().contains("Concurrent")) {
              pauses.add((double) info.getGcInfo().getDuration());
            }
          };
      emitter.addNotificationListener(listener, null, null);
      stops.add(
          () -> {
            try {
              emitter.removeNotificationListener(listener);
            } catch (javax.management.ListenerNotFoundException e) {
              throw new IllegalStateException(e);
            }
          });
    }
    return stops;
  }

  private static String summary(List<Double> pauses) {
    List<Double> sorted;
    synchronized (pauses) {
      sorted = new ArrayList<>(pauses);
    }
    if (sorted.isEmpty()) {
      return "none";
    }
    Collections.sort(sorted);
    double total = 0;
    for (double p : sorted) {
      total += p;
    }
    return String.format(
        Locale.ROOT,
        "%d pauses, p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms, %.1f s in all",
        sorted.size(),
        at(sorted, 0.50),
        at(sorted, 0.90),
        at(sorted, 0.99),
        sorted.get(sorted.size() - 1),
        total / 1000);
  }

  private static double at(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }
}
