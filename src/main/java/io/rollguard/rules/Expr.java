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

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
