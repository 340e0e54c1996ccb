package io.rollguard.benchmarks;

import io.rollguard.rollout.RolloutEngine;
import io.rollguard.rollout.Verdict;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How often the rollout judge rolls back a healthy canary, and how fast it catches a bad one, next
 * to today's threshold criteria (issue #16). Virtual time, through the same {@link RolloutEngine}
 * as {@code serve}: each run is a 30 min canary stage, the canary at 10 requests/s and the baseline
 * at 90/s, latencies lognormal (median 80 ms, sigma 0.5: P95 182 ms), 0.5% errors, one evaluation a
 * second. Three rollouts read the same series in every run:
 *
 * <ul>
 *   <li>{@code judge}: {@code worse_than_baseline(p95, 10%)} and {@code
 *       worse_than_baseline(error_rate, 0%)} to roll back, {@code within_baseline(p95, 10%)} and
 *       {@code within_baseline(error_rate, 50%)} to promote, alpha 1%;
 *   <li>{@code threshold-10s}: the shipped {@code p95 > 1.10 * baseline(p95)} with {@code
 *       consecutive: 3, min_samples: 200} and {@code error_rate > 1%} for 5m, over a 5 min window,
 *       every 10 s as in {@code rules/rollout.yaml}; it promotes on {@code p95 <= 1.10 *
 *       baseline(p95)} and {@code error_rate <= 1.5 * baseline(error_rate)};
 *   <li>{@code threshold-1s}: the same, evaluated every second.
 * </ul>
 *
 * Every stage has a 10 min {@code min_duration}. Scenarios: A/A (the canary from the baseline's
 * distribution), the canary's latencies 10%, 25% and 50% slower, its error rate 1% and 2%.
 *
 * <p>Three more scenarios stretch the judge's assumptions: an A/A stage at 50/50 traffic (50
 * requests/s each), and a canary whose log-latencies spread wider (sigma 0.55: P95 +8.6%, within
 * the 10% margin, without scaling) at 10/90 and at 50/50.
 *
 * <p>Arguments: A/A runs (default 1000), runs per A/B scenario (default 200), threads (default 2),
 * runs per stretched scenario (default 300).
 */
public final class CanaryJudgeSimulation {

  private static final long T0 = 1_763_900_000_000L;
  private static final int STAGE_SECONDS = 30 * 60;
  private static final String[] NAMES = {"judge", "threshold-10s", "threshold-1s"};

  private static final String ROLLOUTS =
      """
      rollouts:
        - name: judge
          select: {service: checkout}
          baseline: {stage: stable}
          alpha: 1%
          stages:
            - {name: canary, traffic: 10%, min_duration: 10m}
            - {name: full, traffic: 100%}
          promote_when:
            - within_baseline(p95, 10%)
            - within_baseline(error_rate, 50%)
          rollback_when:
            - worse_than_baseline(p95, 10%)
            - worse_than_baseline(error_rate, 0%)
      """
          + threshold("threshold-10s", "10s")
          + threshold("threshold-1s", "1s");

  private static String threshold(String name, String every) {
    return """
          - name: %s
            select: {service: checkout}
            baseline: {stage: stable}
            window: 5m
            every: %s
            min_samples: 100
            stages:
              - {name: canary, traffic: 10%%, min_duration: 10m}
              - {name: full, traffic: 100%%}
            promote_when:
              - p95 <= 1.10 * baseline(p95)
              - error_rate <= 1.5 * baseline(error_rate)
            rollback_when:
              - {when: p95 > 1.10 * baseline(p95), consecutive: 3, min_samples: 200}
              - {when: error_rate > 1%%, for: 5m}
        """
        .formatted(name, every);
  }

  /**
   * One scenario: the canary's latency factor, the spread (sigma) of its log-latencies, its error
   * rate, and the requests per second of each version.
   */
  record Scenario(
      String name,
      double latencyFactor,
      double sigma,
      double errorRate,
      int canaryPerSecond,
      int baselinePerSecond,
      int runs) {
    Scenario(String name, double latencyFactor, double errorRate, int runs) {
      this(name, latencyFactor, 0.5, errorRate, 10, 90, runs);
    }
  }

  /** What one rollout did in one run: seconds into the stage, -1 when it did not. */
  record Outcome(int rolledBackAt, int promotedAt) {}

  public static void main(String[] args) throws Exception {
    int aaRuns = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int abRuns = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int extraRuns = args.length > 3 ? Integer.parseInt(args[3]) : 300;
    List<Scenario> scenarios =
        List.of(
            new Scenario("A/A (same distribution)", 1.0, 0.005, aaRuns),
            new Scenario("P95 +10%", 1.10, 0.005, abRuns),
            new Scenario("P95 +25%", 1.25, 0.005, abRuns),
            new Scenario("P95 +50%", 1.50, 0.005, abRuns),
            new Scenario("errors 0.5% -> 1%", 1.0, 0.01, abRuns),
            new Scenario("errors 0.5% -> 2%", 1.0, 0.02, abRuns),
            // the judge's own assumptions stretched: a 50/50 stage, and a canary whose wider tail
            // moves its P95 by +8.6% (within the 10% margin) without scaling its latencies
            new Scenario("A/A at a 50/50 stage", 1.0, 0.5, 0.005, 50, 50, extraRuns),
            new Scenario("wider tail, P95 +8.6%", 1.0, 0.55, 0.005, 10, 90, extraRuns),
            new Scenario("wider tail at 50/50", 1.0, 0.55, 0.005, 50, 50, extraRuns));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long started = System.nanoTime();
    System.out.printf(
        Locale.ROOT,
        "%-24s %-14s %9s %20s %12s %14s %9s %12s%n",
        "scenario",
        "rollout",
        "runs",
        "rolled back (95% CI)",
        "within 10m",
        "median to RB",
        "promoted",
        "median to P");
    for (Scenario s : scenarios) {
      if (s.runs() == 0) {
        continue; // e.g. "0 0 2 300": the stretched scenarios only
      }
      List<Future<Outcome[]>> futures = new ArrayList<>();
      for (int run = 0; run < s.runs(); run++) {
        long seed = 1_000_003L * run + s.name().hashCode();
        futures.add(pool.submit(() -> run(s, seed)));
      }
      Outcome[][] outcomes = new Outcome[s.runs()][];
      for (int i = 0; i < s.runs(); i++) {
        outcomes[i] = futures.get(i).get();
      }
      for (int r = 0; r < NAMES.length; r++) {
        report(s, NAMES[r], outcomes, r);
      }
    }
    pool.shutdown();
    System.out.printf(
        Locale.ROOT, "%.0f s on %d threads%n", (System.nanoTime() - started) / 1e9, threads);
  }

  private static void report(Scenario s, String name, Outcome[][] outcomes, int r) {
    int n = outcomes.length;
    int rolled = 0;
    int within10 = 0;
    int promoted = 0;
    int[] toRollback = new int[n];
    int[] toPromote = new int[n];
    for (Outcome[] o : outcomes) {
      if (o[r].rolledBackAt() >= 0) {
        toRollback[rolled++] = o[r].rolledBackAt();
        if (o[r].rolledBackAt() <= 600) {
          within10++;
        }
      }
      if (o[r].promotedAt() >= 0) {
        toPromote[promoted++] = o[r].promotedAt();
      }
    }
    double[] ci = wilson(rolled, n);
    System.out.printf(
        Locale.ROOT,
        "%-24s %-14s %9d %6.1f%% (%4.1f-%4.1f%%) %11.1f%% %14s %8.1f%% %12s%n",
        s.name(),
        name,
        n,
        100.0 * rolled / n,
        100 * ci[0],
        100 * ci[1],
        100.0 * within10 / n,
        median(toRollback, rolled),
        100.0 * promoted / n,
        median(toPromote, promoted));
  }

  private static String median(int[] values, int n) {
    if (n == 0) {
      return "-";
    }
    int[] v = Arrays.copyOf(values, n);
    Arrays.sort(v);
    int m = v[n / 2];
    return m / 60 + "m" + String.format(Locale.ROOT, "%02d", m % 60) + "s";
  }

  /** The Wilson score interval of {@code k} of {@code n} at 95%. */
  private static double[] wilson(int k, int n) {
    double z = 1.96;
    double p = (double) k / n;
    double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
    double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }

  /** One 30 min stage; stops early once every rollout has rolled back. */
  private static Outcome[] run(Scenario s, long seed) {
    Random random = new Random(seed);
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 100, 100);
    RolloutEngine engine = new RolloutEngine(registry, Duration.ofSeconds(1));
    RuleLoader.Result loaded =
        RuleLoader.load(
            List.of(new RuleLoader.Source("sim.yaml", ROLLOUTS)), Duration.ofHours(1), null);
    if (!loaded.valid()) {
      throw new IllegalStateException(loaded.problems().format());
    }
    engine.setRollouts(loaded.rollouts(), T0);
    RequestWindow canary =
        registry.requests(Labels.of(Map.of("service", "checkout", "stage", "canary")));
    RequestWindow stable =
        registry.requests(Labels.of(Map.of("service", "checkout", "stage", "stable")));
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    int[] rolledBackAt = new int[NAMES.length];
    int[] promotedAt = new int[NAMES.length];
    Arrays.fill(rolledBackAt, -1);
    Arrays.fill(promotedAt, -1);
    for (int second = 0; second < STAGE_SECONDS; second++) {
      long start = T0 + second * 1_000L;
      push(
          stable,
          samples,
          poisson(random, s.baselinePerSecond()),
          start,
          1.0,
          0.5,
          0.005,
          random,
          scratch);
      push(
          canary,
          samples,
          poisson(random, s.canaryPerSecond()),
          start,
          s.latencyFactor(),
          s.sigma(),
          s.errorRate(),
          random,
          scratch);
      long now = start + 1_000;
      engine.tick(now);
      Map<String, Verdict> verdicts = engine.verdicts();
      boolean allRolledBack = true;
      for (int r = 0; r < NAMES.length; r++) {
        Verdict v = verdicts.get(NAMES[r]);
        if (v == null) {
          allRolledBack = false;
          continue;
        }
        if (v.decision() == Verdict.Decision.ROLLBACK && rolledBackAt[r] < 0) {
          rolledBackAt[r] = second + 1;
        }
        if (v.decision() == Verdict.Decision.PROMOTE && promotedAt[r] < 0 && rolledBackAt[r] < 0) {
          promotedAt[r] = second + 1;
        }
        allRolledBack &= rolledBackAt[r] >= 0;
      }
      if (allRolledBack) {
        break;
      }
    }
    Outcome[] out = new Outcome[NAMES.length];
    for (int r = 0; r < NAMES.length; r++) {
      out[r] = new Outcome(rolledBackAt[r], promotedAt[r]);
    }
    return out;
  }

  private static void push(
      RequestWindow window,
      RequestSamples samples,
      int n,
      long start,
      double factor,
      double sigma,
      double errorRate,
      Random random,
      LatencyScratch scratch) {
    samples.clear();
    for (int i = 0; i < n; i++) {
      double ms = factor * 80 * Math.exp(sigma * random.nextGaussian());
      samples.add(
          start + random.nextInt(1_000), Math.round(ms * 1000), random.nextDouble() < errorRate);
    }
    window.record(samples, 0, n, start + 999, scratch);
  }

  /** A Poisson count of mean {@code mean} (Knuth's method; means here are at most 90). */
  private static int poisson(Random random, double mean) {
    double limit = Math.exp(-mean);
    double product = random.nextDouble();
    int k = 0;
    while (product > limit) {
      product *= random.nextDouble();
      k++;
    }
    return k;
  }
}
