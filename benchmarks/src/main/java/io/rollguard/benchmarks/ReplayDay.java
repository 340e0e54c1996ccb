package io.rollguard.benchmarks;

import io.rollguard.config.RollguardConfig;
import io.rollguard.replay.Replayer;
import io.rollguard.rules.RuleFiles;
import io.rollguard.rules.RuleLoader;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How fast {@code rollguard replay} goes: writes a day of recorded NDJSON for 100 series (one line
 * per series every 10 s with 10 lognormal requests, 1% failed: 8.64M requests), then replays it
 * through the shipped rules ({@code rules/}) three times and prints the wall time of each.
 * Arguments: the file to write (default {@code target/day.ndjson}).
 */
public final class ReplayDay {

  private static final long T0 = 1_763_856_000_000L; // 2025-11-23T00:00:00Z

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "target/day.ndjson");
    long lines = write(file);
    RuleLoader.Result rules =
        RuleLoader.load(
            RuleFiles.read(RuleFiles.find(List.of(Path.of("rules")))), Duration.ofHours(1), null);
    if (!rules.valid()) {
      throw new IllegalStateException(rules.problems().format());
    }
    System.out.printf(Locale.ROOT, "%s: %d lines, %.0f MB%n", file, lines, Files.size(file) / 1e6);
    for (int run = 1; run <= 3; run++) {
      long started = System.nanoTime();
      int[] transitions = new int[1];
      Replayer.Summary s;
      try (InputStream in = Files.newInputStream(file)) {
        s =
            new Replayer(RollguardConfig.defaults(), rules, java.util.Map.of())
                .replay(in, e -> transitions[0]++);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "run %d: %.1f s for %d samples (%.2fM samples/s), %d evaluation ticks, %d transitions%n",
          run,
          seconds,
          s.accepted(),
          s.accepted() / seconds / 1e6,
          s.ticks(),
          transitions[0]);
    }
  }

  private static long write(Path file) throws Exception {
    Random random = new Random(11);
    long lines = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long t = T0; t < T0 + 86_400_000L; t += 10_000) {
        for (int s = 0; s < 100; s++) {
          StringBuilder sb =
              new StringBuilder(700)
                  .append("{\"service\":\"checkout\",\"labels\":{\"stage\":\"")
                  .append(s < 10 ? "canary" : "stable")
                  .append("\",\"pod\":\"p")
                  .append(s)
                  .append("\"},\"requests\":[");
          for (int i = 0; i < 10; i++) {
            double latency = Math.exp(4 + 0.6 * random.nextGaussian());
            sb.append(i > 0 ? "," : "")
                .append("{\"ts\":")
                .append(t + i * 1_000)
                .append(",\"latency_ms\":")
                .append(String.format(Locale.ROOT, "%.1f", latency))
                .append(",\"ok\":")
                .append(random.nextInt(100) != 0)
                .append('}');
          }
          w.append(sb).append("]}\n");
          lines++;
        }
      }
    }
    return lines;
  }
}
