package io.rollguard.alerting;

import io.rollguard.config.Durations;
import io.rollguard.rules.Evaluator;
import io.rollguard.rules.Expr;
import io.rollguard.rules.ExprException;
import io.rollguard.rules.Inputs;
import io.rollguard.rules.Rule;
import io.rollguard.rules.Truth;
import io.rollguard.rules.Type;
import io.rollguard.rules.TypeChecker;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words of an alert: values in the unit of what the rule compares, annotations with their
 * templates filled in, the threshold, and why an instance fired or resolved. Stateless.
 */
public final class AlertText {

  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

  private AlertText() {}

  /** A value in the unit of what the rule compares: {@code 812.3ms}, {@code 2.35%}, {@code 17}. */
  public static String formatValue(Rule rule, double value) {
    return formatValue(rule.when(), value);
  }

  /** A value in the unit of what {@code condition} compares first. */
  public static String formatValue(Expr condition, double value) {
    Expr.Compare compare = firstComparison(condition);
    Type type;
    try {
      type = compare == null ? Type.NUMBER : TypeChecker.typeOf(compare.left());
      if (type == Type.NUMBER && TypeChecker.typeOf(compare.right()) == Type.RATIO) {
        type = Type.RATIO; // gauge("pass_rate") < 95%: show the gauge as a percentage too
      }
    } catch (ExprException e) {
      type = Type.NUMBER;
    }
    return format(type, value);
  }

  /** A value of {@code type} for people: {@code 812.3ms}, {@code 2.35%}, {@code 17}. */
  public static String format(Type type, double value) {
    if (Double.isNaN(value)) {
      return "no data";
    }
    return switch (type) {
      case DURATION -> String.format(Locale.ROOT, "%.1fms", value);
      case RATIO -> String.format(Locale.ROOT, "%.3g%%", value * 100);
      default ->
          value == Math.rint(value) && Math.abs(value) < 1e15
              ? Long.toString((long) value)
              : String.format(Locale.ROOT, "%.4g", value);
    };
  }

  /** The left-hand side of the condition's first comparison: what "value" means in a message. */
  public static double value(Expr condition, Inputs inputs, long minSamples) {
    Expr.Compare compare = firstComparison(condition);
    return compare == null ? Double.NaN : Evaluator.value(compare.left(), inputs, minSamples);
  }

  /**
   * The right-hand side of the condition's first comparison as a number in the value's unit (a
   * literal, or what {@code 1.10 * baseline(p95)} works out to); NaN when there is none.
   */
  public static double thresholdValue(Expr condition, Inputs inputs, long minSamples) {
    Expr.Compare compare = firstComparison(condition);
    return compare == null ? Double.NaN : Evaluator.value(compare.right(), inputs, minSamples);
  }

  /**
   * What the value is compared with, e.g. {@code > 500ms}, or {@code > baseline(p95) * 1.1 =
   * 220.0ms} when the right-hand side is not a plain number.
   */
  static String threshold(Rule rule, Inputs inputs) {
    return threshold(rule.when(), inputs, rule.minSamples());
  }

  /** What the first comparison of {@code condition} compares its value with. */
  public static String threshold(Expr condition, Inputs inputs, long minSamples) {
    Expr.Compare compare = firstComparison(condition);
    if (compare == null) {
      return "";
    }
    if (compare.right() instanceof Expr.Literal l) {
      return compare.op() + " " + l.text();
    }
    double right = Evaluator.value(compare.right(), inputs, minSamples);
    return compare.op() + " " + compare.right() + " = " + formatValue(condition, right);
  }

  /** Why an instance went where it went, in one sentence. */
  static String reason(
      Rule rule, AlertEvent.Kind kind, Truth truth, InstanceState episode, double value, long now) {
    String value1 = formatValue(rule, value);
    return switch (kind) {
      case PENDING ->
          rule.whenText()
              + " is true ("
              + value1
              + "); fires once it holds for "
              + Durations.format(rule.forDuration())
              + (rule.consecutive() > 1
                  ? " and " + rule.consecutive() + " evaluations in a row"
                  : "");
      case FIRING ->
          rule.whenText()
              + " held for "
              + Durations.format(Duration.ofMillis(now - episode.pendingSinceMillis()))
              + " ("
              + episode.consecutiveTrue()
              + (episode.consecutiveTrue() == 1 ? " evaluation" : " evaluations in a row")
              + "), value "
              + value1;
      case RESOLVED ->
          (truth == Truth.NO_DATA
                  ? "no data in the "
                      + Durations.format(rule.window())
                      + " window"
                      + (rule.minSamples() > 1
                          ? " (fewer than min_samples " + rule.minSamples() + " requests)"
                          : "")
                  : rule.whenText() + " no longer holds (" + value1 + ")")
              + (rule.keepFiringFor().isZero()
                  ? ""
                  : " for keep_firing_for " + Durations.format(rule.keepFiringFor()));
      case CHANGED -> throw new IllegalArgumentException("rules do not change stages");
    };
  }

  /** Annotations with {@code {{label}}}, {@code {{value}}} and {@code {{rule}}} filled in. */
  static Map<String, String> annotations(Rule rule, Map<String, String> labels, double value) {
    Map<String, String> out = new TreeMap<>();
    for (var e : rule.annotations().entrySet()) {
      Matcher m = TEMPLATE.matcher(e.getValue());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String name = m.group(1);
        String replacement =
            switch (name) {
              case "value" -> formatValue(rule, value);
              case "rule" -> rule.name();
              default -> labels.getOrDefault(name, exactSelectorValue(rule, name, m.group()));
            };
        m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
      }
      m.appendTail(sb);
      out.put(e.getKey(), sb.toString());
    }
    return Map.copyOf(out);
  }

  private static String exactSelectorValue(Rule rule, String name, String otherwise) {
    String spec = rule.selectSpec().get(name);
    return spec == null || spec.startsWith("~") || spec.startsWith("!") ? otherwise : spec;
  }

  private static Expr.Compare firstComparison(Expr e) {
    if (e instanceof Expr.Compare c) {
      return c;
    }
    if (e instanceof Expr.Logical l) {
      return firstComparison(l.left());
    }
    return e instanceof Expr.Not n ? firstComparison(n.operand()) : null;
  }
}
