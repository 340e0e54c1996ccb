package io.rollguard.ruletest;

import io.rollguard.config.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compact notation of input series: runs of a value joined by {@code then}, each run {@code
 * VALUE} or {@code VALUE x COUNT} ({@code 100ms x 60 then 900ms x 120}). A value is a duration
 * ({@code 250ms}, {@code 1.5s}: milliseconds), a percentage ({@code 5%}: 0.05), a number ({@code
 * 0.99}), {@code ok} (1) or {@code fail} (0), or {@code _} for no data in that step (NaN).
 * Stateless.
 */
public final class Notation {

  private static final Pattern RUN = Pattern.compile("\\s*(\\S+)(?:\\s+x\\s+(\\d+))?\\s*");
  private static final Pattern DECIMAL_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Notation() {}

  /**
   * The value of each step.
   *
   * @throws IllegalArgumentException with a message fit for a user
   */
  public static double[] parse(String text) {
    List<Double> values = new ArrayList<>();
    for (String part : text.trim().split("\\s+then\\s+")) {
      Matcher m = RUN.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "expected runs such as '100ms x 60 then 900ms x 120', got '" + part.trim() + "'");
      }
      double value = value(m.group(1));
      int count = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
      if (count > 10_000_000) {
        throw new IllegalArgumentException("a run of " + count + " steps is too long");
      }
      for (int i = 0; i < count; i++) {
        values.add(value);
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double value(String token) {
    switch (token) {
      case "_":
        return Double.NaN;
      case "ok":
        return 1;
      case "fail":
        return 0;
      default:
        break;
    }
    try {
      if (token.endsWith("%")) {
        return new java.math.BigDecimal(token.substring(0, token.length() - 1))
            .movePointLeft(2)
            .doubleValue();
      }
      Matcher d = DECIMAL_DURATION.matcher(token);
      if (d.matches()) {
        double n = Double.parseDouble(d.group(1));
        return switch (d.group(2)) {
          case "ms" -> n;
          case "s" -> n * 1_000;
          case "m" -> n * 60_000;
          default -> n * 3_600_000;
        };
      }
      if (Character.isDigit(token.charAt(token.length() - 1)) || token.endsWith(".")) {
        return Double.parseDouble(token);
      }
      return Durations.parse(token).toMillis();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'"
              + token
              + "' is not a value (a duration such as 250ms, a percentage, a number, ok, fail or _)");
    }
  }
}
