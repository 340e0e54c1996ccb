package io.rollguard.rollout;

/**
 * An anytime-valid test of the canary's share of some events (its errors, or its requests slower
 * than a threshold) against its share of the traffic. Stateless.
 *
 * <p>Given the events of both arms, each event is the canary's with probability {@code θ = λρ / (λρ
 * + 1 - ρ)}, where {@code ρ} is the canary's share of the requests and {@code λ} the ratio of the
 * canary's event rate to the baseline's. The likelihood ratio of an alternative {@code λ} against
 * {@code λ0} over the events seen so far, {@code θ^x (1-θ)^y / (θ0^x (1-θ0)^y)}, has expectation at
 * most 1 at every event whenever the true ratio is on the null's side of {@code λ0} and the
 * alternative on the other: it is a nonnegative supermartingale. So is an average of several, and
 * by Ville's inequality the average (the <em>evidence</em>, an e-value) reaches {@code 1/α} with
 * probability at most {@code α}, however often it is looked at. The alternatives are a fixed grid
 * of ratios {@code λ0 * g} (or {@code λ0 / g}) with equal weights: it reaches 1/α fast whether the
 * canary is a little worse or much worse.
 */
final class ShareTest {

  /** How much worse (or better) than {@code λ0} the alternatives are. */
  private static final double[] GRID = {
    1.02, 1.05, 1.1, 1.2, 1.35, 1.5, 1.75, 2, 2.5, 3, 4, 6, 10, 20
  };

  private ShareTest() {}

  /** The canary's probability of owning an event at rate ratio {@code lambda}. */
  static double theta(double lambda, double rho) {
    return lambda * rho / (lambda * rho + 1 - rho);
  }

  /**
   * The evidence that the canary's rate ratio is above {@code lambda0} ({@code worse}) or below it,
   * from {@code canary} and {@code baseline} events and the canary's traffic share {@code rho}; 1
   * (no evidence) without events or without a share strictly between 0 and 1.
   */
  static double evidence(
      double canary, double baseline, double rho, double lambda0, boolean worse) {
    if (canary + baseline <= 0 || !(rho > 0 && rho < 1) || !(lambda0 > 0)) {
      return 1;
    }
    double theta0 = theta(lambda0, rho);
    double sum = 0;
    for (double g : GRID) {
      double theta = theta(worse ? lambda0 * g : lambda0 / g, rho);
      double log =
          canary * Math.log(theta / theta0) + baseline * Math.log((1 - theta) / (1 - theta0));
      sum += Math.exp(Math.min(log, 700));
    }
    return sum / GRID.length;
  }

  /**
   * The ratios {@code λ0} at which the evidence is {@code 1/alpha}: {@code [0]} the largest ratio
   * shown exceeded ({@code λ > [0]}; 0 when none), {@code [1]} the smallest shown not reached
   * ({@code λ < [1]}; infinity when none). Together a confidence interval that holds at every look,
   * each side with probability at least {@code 1 - alpha}.
   */
  static double[] bounds(double canary, double baseline, double rho, double alpha) {
    double needed = 1 / alpha;
    double lower = 0;
    if (evidence(canary, baseline, rho, 1e-3, true) >= needed) {
      lower = bisect(l -> evidence(canary, baseline, rho, l, true) >= needed, 1e-3, 1e3);
    }
    double upper = Double.POSITIVE_INFINITY;
    if (evidence(canary, baseline, rho, 1e3, false) >= needed) {
      upper = bisect(l -> evidence(canary, baseline, rho, l, false) < needed, 1e-3, 1e3);
    }
    return new double[] {lower, upper};
  }

  /**
   * How many times today's counts the test needs before the evidence reaches {@code 1/alpha},
   * supposing events keep coming at today's shares; NaN when even 10,000 times would not do (the
   * canary looks about as good as {@code lambda0}).
   */
  static double scaleNeeded(
      double canary, double baseline, double rho, double lambda0, boolean worse, double alpha) {
    double needed = 1 / alpha;
    if (evidence(canary, baseline, rho, lambda0, worse) >= needed) {
      return 1;
    }
    if (evidence(canary * 1e4, baseline * 1e4, rho, lambda0, worse) < needed) {
      return Double.NaN;
    }
    // the evidence grows with the counts when their ratio lies on the alternative's side
    return 1
        / bisect(
            inv -> evidence(canary / inv, baseline / inv, rho, lambda0, worse) >= needed, 1e-4, 1);
  }

  /**
   * The point, between {@code lo} and {@code hi} (a geometric bisection), where {@code holds} turns
   * false.
   */
  static double bisect(java.util.function.DoublePredicate holds, double lo, double hi) {
    // holds(lo) is true; find the largest x with holds(x)
    for (int i = 0; i < 40; i++) {
      double mid = Math.sqrt(lo * hi);
      if (holds.test(mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
