package io.rollguard.rules;

/**
 * Evaluates {@code when} expressions over {@link Inputs}, with the SPEC's no-data semantics:
 * latency quantiles and ratios over fewer than {@code minSamples} requests are no data; {@code
 * count}, {@code errors} and {@code request_rate} are 0 on an empty window, so absence can be
 * alerted on; a comparison with no data on either side is {@link Truth#NO_DATA}. Division by zero
 * is no data. Stateless.
 */
public final class Evaluator {

  private Evaluator() {}

  /** Evaluates a condition (an expression of type boolean). */
  public static Truth test(Expr condition, Inputs in, long minSamples) {
    if (condition instanceof Expr.Compare c) {
      double left = value(c.left(), in, minSamples);
      double right = value(c.right(), in, minSamples);
      if (Double.isNaN(left) || Double.isNaN(right)) {
        return Truth.NO_DATA;
      }
      return Truth.of(
          switch (c.op()) {
            case "<" -> left < right;
            case "<=" -> left <= right;
            case ">" -> left > right;
            case ">=" -> left >= right;
            case "==" -> left == right;
            default -> left != right;
          });
    }
    if (condition instanceof Expr.Logical l) {
      Truth left = test(l.left(), in, minSamples);
      Truth right = test(l.right(), in, minSamples);
      return l.and() ? left.and(right) : left.or(right);
    }
    if (condition instanceof Expr.Not n) {
      return test(n.operand(), in, minSamples).not();
    }
    throw new IllegalArgumentException("not a condition: " + condition);
  }

  /** The value of a numeric expression, {@code NaN} for no data. */
  public static double value(Expr expr, Inputs in, long minSamples) {
    if (expr instanceof Expr.Literal l) {
      return l.value();
    }
    if (expr instanceof Expr.SliRef s) {
      return sli(s, in, minSamples);
    }
    if (expr instanceof Expr.Baseline b) {
      Inputs baseline = in.baseline();
      return baseline == null ? Double.NaN : value(b.inner(), baseline, minSamples);
    }
    if (expr instanceof Expr.Negate n) {
      return -value(n.operand(), in, minSamples);
    }
    if (expr instanceof Expr.Arithmetic a) {
      double left = value(a.left(), in, minSamples);
      double right = value(a.right(), in, minSamples);
      return switch (a.op()) {
        case '+' -> left + right;
        case '-' -> left - right;
        case '*' -> left * right;
        default -> right == 0 ? Double.NaN : left / right;
      };
    }
    throw new IllegalArgumentException("not a numeric expression: " + expr);
  }

  private static double sli(Expr.SliRef ref, Inputs in, long minSamples) {
    Sli sli = ref.sli();
    long count = in.count();
    if (sli.needsSamples() && (count == 0 || count < minSamples)) {
      return Double.NaN;
    }
    return switch (sli) {
      case P50 -> in.quantileMillis(0.50);
      case P75 -> in.quantileMillis(0.75);
      case P90 -> in.quantileMillis(0.90);
      case P95 -> in.quantileMillis(0.95);
      case P99 -> in.quantileMillis(0.99);
      case P999 -> in.quantileMillis(0.999);
      case MAX -> in.quantileMillis(1.0);
      case MIN -> in.quantileMillis(0.0);
      case MEAN -> in.meanMillis();
      case QUANTILE -> in.quantileMillis(ref.argument());
      case COUNT -> count;
      case ERRORS -> in.errors();
      case ERROR_RATE -> (double) in.errors() / count;
      case SUCCESS_RATE -> 1.0 - (double) in.errors() / count;
      case REQUEST_RATE -> in.windowSeconds() > 0 ? count / in.windowSeconds() : 0;
      case GAUGE -> in.gauge(ref.name()).last();
      case GAUGE_AVG -> in.gauge(ref.name()).avg();
      case GAUGE_MIN -> in.gauge(ref.name()).min();
      case GAUGE_MAX -> in.gauge(ref.name()).max();
      case CONSECUTIVE_FAILURES -> in.check(ref.name()).consecutiveFailures();
      case CHECK_FAILURE_RATE -> in.check(ref.name()).failureRatio();
    };
  }
}
