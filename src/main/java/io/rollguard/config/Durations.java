package io.rollguard.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as SREs write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 30d},
 * and compounds such as {@code 1h30m}. Stateless.
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message fit for a user when it is not a duration
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    Matcher m = PART.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      try {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
        total.toMillis(); // must fit in milliseconds, as everything that reads it does
      } catch (ArithmeticException | NumberFormatException e) {
        throw new IllegalArgumentException("duration '" + text + "' is out of range");
      }
      end = m.end();
    }
    if (end != s.length()) {
      throw new IllegalArgumentException(
          "bad duration '" + text + "' (expected e.g. 500ms, 30s, 5m, 1h, 30d)");
    }
    return total;
  }

  /** The shortest text that {@link #parse} reads back as {@code d}: {@code 90s} -> "1m30s". */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms >= sizes[i]) {
        sb.append(ms / sizes[i]).append(units[i]);
        ms %= sizes[i];
      }
    }
    return sb.toString();
  }
}
