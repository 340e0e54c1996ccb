package io.rollguard.rules;

import io.rollguard.window.Latency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    if (condition instanceof Expr.Judge) {
      return Truth.NO_DATA; // judged over the stage by the rollout engine, not over a window
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

  /**
   * The value of every SLI {@code expr} names (each once, in the order written), with sample counts
   * and error bounds.
   */
  public static List<SliReading> readings(Expr expr, Inputs in, long minSamples) {
    Map<String, SliReading> out = new LinkedHashMap<>();
    collect(expr, in, minSamples, "", out);
    return List.copyOf(out.values());
  }

  private static void collect(
      Expr e, Inputs in, long minSamples, String prefix, Map<String, SliReading> out) {
    if (e instanceof Expr.SliRef s) {
      String name = prefix.isEmpty() ? s.toString() : prefix + "(" + s + ")";
      out.computeIfAbsent(
          name,
          n -> {
            double value = sli(s, in, minSamples);
            return new SliReading(
                n, s.sli().type(), value, samples(s, in), relativeError(s.sli(), value, in));
          });
    } else if (e instanceof Expr.Baseline b) {
      if (in.baseline() != null) {
        collect(b.inner(), in.baseline(), minSamples, "baseline", out);
      }
    } else if (e instanceof Expr.Negate n) {
      collect(n.operand(), in, minSamples, prefix, out);
    } else if (e instanceof Expr.Not n) {
      collect(n.operand(), in, minSamples, prefix, out);
    } else if (e instanceof Expr.Arithmetic a) {
      collect(a.left(), in, minSamples, prefix, out);
      collect(a.right(), in, minSamples, prefix, out);
    } else if (e instanceof Expr.Compare c) {
      collect(c.left(), in, minSamples, prefix, out);
      collect(c.right(), in, minSamples, prefix, out);
    } else if (e instanceof Expr.Logical l) {
      collect(l.left(), in, minSamples, prefix, out);
      collect(l.right(), in, minSamples, prefix, out);
    }
  }

  private static long samples(Expr.SliRef ref, Inputs in) {
    return switch (ref.sli()) {
      case GAUGE, GAUGE_AVG, GAUGE_MIN, GAUGE_MAX -> in.gauge(ref.name()).points();
      case CONSECUTIVE_FAILURES, CHECK_FAILURE_RATE -> in.check(ref.name()).results();
      default -> in.count();
    };
  }

  /** The bound of a latency SLI's value: its data's own (bucketed data is coarser than 1/256). */
  private static double relativeError(Sli sli, double value, Inputs in) {
    if (sli.type() != Type.DURATION) {
      return 0;
    }
    if (Double.isNaN(value)) {
      return Latency.QUANTILE_RELATIVE_ERROR;
    }
    return sli == Sli.MEAN ? in.meanRelativeError() : in.quantileRelativeError(value);
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
