package io.rollguard.benchmarks;

import io.rollguard.rollout.RolloutEngine;
import io.rollguard.rules.RuleLoader;
import io.rollguard.slo.SloEngine;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Memory of rollouts and SLOs, on virtual time (issue #5's figure). Run with a fixed heap, e.g.
 * {@code java -Xms2g -Xmx2g -XX:+UseParallelGC}.
 *
 * <ol>
 *   <li><b>One 30-day SLO</b>: one series fed every 10 s for 31 days, so every slot of the SLO's
 *       three resolutions is written; heap used after GC with the SLO, minus the same series
 *       without it.
 *   <li><b>A 4-stage rollout over 1,000 series</b>: {@code rules/rollout.yaml} over 1,000 request
 *       series (200 pods in each of canary, gradual, majority, full and stable) whose 5 min windows
 *       are full; heap after GC with the rollout engine evaluated once per stage, minus without it,
 *       and the median time of one evaluation (a tick) of the rollout.
 * </ol>
 */
public final class RolloutSloMemory {

  private static final long T0 = 1_763_900_000_000L;
  private static final String[] STAGES = {"canary", "gradual", "majority", "full", "stable"};

  public static void main(String[] args) throws Exception {
    // The first round loads classes and fills JDK caches (formatters, regexes) on the heap; the
    // second is what an SLO and a rollout hold.
    for (String round : List.of("warm-up", "measured")) {
      System.out.println(round + ":");
      slo();
      rollout();
    }
  }

  private static void slo() throws Exception {
    SeriesRegistry registry =
        new SeriesRegistry(
            WindowSettings.of(Duration.ofMinutes(5), Duration.ofSeconds(10)), 10, 10);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    Random random = new Random(5);
    RequestWindow series = registry.requests(Labels.of("service", "checkout"));
    long start = T0 - Duration.ofDays(31).toMillis();
    feed(series, samples, scratch, random, start, start + 600_000, 10_000);
    var slos = load("rules/slo.yaml").slos(); // loading warms YAML caches: not the SLO's memory
    long before = Heap.usedAfterGc();
    SloEngine engine = new SloEngine(registry.sloTaps(), Duration.ofSeconds(10));
    engine.setSlos(slos, start);
    feed(series, samples, scratch, random, start + 600_000, T0, 10_000);
    engine.tick(T0);
    long after = Heap.usedAfterGc();
    SloEngine.SloStatus s = engine.snapshot().slos().get(0);
    System.out.printf(
        Locale.ROOT,
        "one 30d SLO (%s), %d requests counted: %.1f KB on the heap; attainment %.5f, budget left"
            + " %.2f%n",
        s.slo().name(),
        s.total(),
        (after - before) / 1024.0,
        s.attainment(),
        s.budgetRemaining());
  }

  private static void rollout() throws Exception {
    SeriesRegistry registry =
        new SeriesRegistry(
            WindowSettings.of(Duration.ofMinutes(5), Duration.ofSeconds(10)), 10_000, 10_000);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    Random random = new Random(7);
    List<RequestWindow> windows = new ArrayList<>();
    for (String stage : STAGES) {
      for (int pod = 0; pod < 200; pod++) {
        windows.add(
            registry.requests(Labels.of("service", "checkout", "stage", stage, "pod", "p" + pod)));
      }
    }
    long end = T0 + 300_000;
    for (long t = T0; t < end; t += 1_000) {
      for (RequestWindow w : windows) {
        feed(w, samples, scratch, random, t, t + 1, 1_000);
      }
    }
    // evaluated every second here (the file says every 10 s), so each tick below evaluates it
    var rollouts = load("rules/rollout.yaml", "every: 10s", "every: 1s").rollouts();
    long before = Heap.usedAfterGc();
    RolloutEngine engine = new RolloutEngine(registry, Duration.ofSeconds(1));
    engine.setRollouts(rollouts, end);
    long[] nanos = new long[41];
    for (int i = 0; i < STAGES.length - 1; i++) {
      engine.setStage("checkout", STAGES[i], end); // every stage's selection built once
    }
    for (int i = 0; i < nanos.length; i++) {
      // one more second of traffic, then the evaluation at its end, as in the server
      long now = end + i * 1_000L;
      for (RequestWindow w : windows) {
        feed(w, samples, scratch, random, now, now + 1, 1_000);
      }
      long started = System.nanoTime();
      engine.tick(now + 999);
      nanos[i] = System.nanoTime() - started;
    }
    long after = Heap.usedAfterGc();
    Arrays.sort(nanos);
    System.out.printf(
        Locale.ROOT,
        "a 4-stage rollout over %d series (stage %s, %d series; baseline 200 series): %.1f KB on"
            + " the heap; one evaluation: median %.2f ms%n",
        registry.size(),
        engine.verdicts().get("checkout").stage(),
        200,
        (after - before) / 1024.0,
        nanos[nanos.length / 2] / 1e6);
  }

  /** 10 lognormal requests, 1% failed, every {@code stepMillis} from {@code from} to {@code to}. */
  private static void feed(
      RequestWindow w,
      RequestSamples samples,
      LatencyScratch scratch,
      Random random,
      long from,
      long to,
      long stepMillis) {
    for (long t = from; t < to; t += stepMillis) {
      samples.clear();
      for (int i = 0; i < 10; i++) {
        samples.add(
            t, (long) (Math.exp(4 + 0.6 * random.nextGaussian()) * 1000), random.nextInt(100) == 0);
      }
      w.record(samples, 0, samples.size(), t, scratch);
    }
  }

  /** Loads a rule file, with {@code replace[0]} replaced by {@code replace[1]} in it. */
  private static RuleLoader.Result load(String file, String... replace) throws Exception {
    String text = Files.readString(Path.of(file));
    if (replace.length == 2) {
      text = text.replace(replace[0], replace[1]);
    }
    RuleLoader.Result r =
        RuleLoader.load(List.of(new RuleLoader.Source(file, text)), Duration.ofHours(1), null);
    if (!r.valid()) {
      throw new IllegalStateException(r.problems().format());
    }
    return r;
  }
}
