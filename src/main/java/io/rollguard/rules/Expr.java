package io.rollguard.rules;

import java.util.Locale;

/**
 * A parsed {@code when} expression. Every node knows the 1-based column where it starts in the
 * expression text, so that type errors point at the right place. Immutable.
 */
public sealed interface Expr {

  int column();

  /** {@code 500ms}, {@code 1%}, {@code 3}: the value in base units (ms, ratio, number). */
  record Literal(int column, double value, Type type, String text) implements Expr {
    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * An SLI; {@code argument} is the quantile for {@code quantile(q)}, {@code name} the gauge or
   * check.
   */
  record SliRef(int column, Sli sli, double argument, String name) implements Expr {
    @Override
    public String toString() {
      return switch (sli) {
        case QUANTILE -> "quantile(" + trim(argument) + ")";
        case GAUGE, GAUGE_AVG, GAUGE_MIN, GAUGE_MAX, CONSECUTIVE_FAILURES, CHECK_FAILURE_RATE ->
            sli.name().toLowerCase(Locale.ROOT) + "(\"" + name + "\")";
        default -> sli.name().toLowerCase(Locale.ROOT);
      };
    }
  }

  /**
   * {@code worse_than_baseline(p95, 10%)} ({@code worse}) or {@code within_baseline(p95, 10%)}: the
   * rollout judge's anytime-valid comparison of the canary with its baseline over the stage, on a
   * latency quantile ({@code sli} P50..P999 or QUANTILE with {@code quantile}) or on ERROR_RATE,
   * with {@code margin} as a ratio (0.10 for 10%). A rollout criterion on its own.
   */
  record Judge(
      int column, boolean worse, Sli sli, double quantile, double margin, String marginText)
      implements Expr {
    @Override
    public String toString() {
      return (worse ? "worse_than_baseline(" : "within_baseline(")
          + sliText()
          + ", "
          + marginText
          + ")";
    }

    /** The SLI compared, as written: {@code p95}, {@code quantile(0.975)}, {@code error_rate}. */
    public String sliText() {
      return sli == Sli.QUANTILE
          ? "quantile(" + trim(quantile) + ")"
          : sli.name().toLowerCase(Locale.ROOT);
    }

    /** The latency quantile compared, in [0, 1]; NaN for the error rate. */
    public double q() {
      return switch (sli) {
        case P50 -> 0.50;
        case P75 -> 0.75;
        case P90 -> 0.90;
        case P95 -> 0.95;
        case P99 -> 0.99;
        case P999 -> 0.999;
        case QUANTILE -> quantile;
        default -> Double.NaN;
      };
    }
  }

  /** {@code baseline(EXPR)}: EXPR evaluated on the rule's baseline selector. */
  record Baseline(int column, Expr inner) implements Expr {
    @Override
    public String toString() {
      return "baseline(" + inner + ")";
    }
  }

  /** {@code -x}. */
  record Negate(int column, Expr operand) implements Expr {
    @Override
    public String toString() {
      return "-" + operand;
    }
  }

  /** {@code + - * /}. */
  record Arithmetic(int column, char op, Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return "(" + left + " " + op + " " + right + ")";
    }
  }

  /** {@code < <= > >= == !=}. */
  record Compare(int column, String op, Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return left + " " + op + " " + right;
    }
  }

  /** {@code and}, {@code or}. */
  record Logical(int column, boolean and, Expr left, Expr right) implements Expr {
    @Override
    public String toString() {
      return "(" + left + (and ? " and " : " or ") + right + ")";
    }
  }

  /** {@code not x}. */
  record Not(int column, Expr operand) implements Expr {
    @Override
    public String toString() {
      return "not " + operand;
    }
  }

  static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
