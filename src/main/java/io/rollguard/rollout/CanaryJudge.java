package io.rollguard.rollout;

import io.rollguard.rules.Expr;
import io.rollguard.rules.Sli;
import io.rollguard.window.Latency;
import io.rollguard.window.RequestAccumulator;

/**
 * The rollout judge: {@code worse_than_baseline(SLI, margin)} and {@code within_baseline(SLI,
 * margin)} over everything both arms served since the stage began, as an anytime-valid sequential
 * test ({@link ShareTest}). Stateless.
 *
 * <ul>
 *   <li><b>Error rate.</b> The events are errors; the null is "the canary's error rate is at most
 *       {@code 1 + margin} times the baseline's" ({@code worse}), or at least that ({@code
 *       within}).
 *   <li><b>Latency quantile q.</b> With {@code Qb} the baseline's q-quantile over the stage, the
 *       canary's q-quantile is at most {@code (1 + margin) Qb} exactly when at most a share {@code
 *       1 - q} of its requests are slower than {@code (1 + margin) Qb}, the share of the baseline's
 *       requests slower than {@code Qb}. The events are the canary's requests slower than {@code (1
 *       + margin) Qb} and the baseline's slower than {@code Qb}, and the null is a rate ratio of at
 *       most 1 (or at least 1). Counts come from the HdrHistogram buckets; a bucket that straddles
 *       a threshold is counted on the side that makes the evidence smaller, so the buckets' 1/256
 *       width never adds evidence.
 * </ul>
 *
 * The estimate and its bounds are the canary's value over the baseline's: the quantile ratio (its
 * bounds found by testing every margin), or the error rate ratio.
 */
public final class CanaryJudge {

  private CanaryJudge() {}

  /**
   * One judgement: the evidence against the criterion's null and what it needs ({@code 1/alpha},
   * the criterion's share of the rollout's alpha), the canary-over-baseline estimate with its
   * bounds, the requests and events per arm, the arms' values (ms or a ratio), the quantiles' error
   * bound, and at today's shares how many more canary requests (and seconds at today's traffic) the
   * evidence needs; -1 when it has what it needs or cannot tell.
   */
  public record Reading(
      double evidence,
      double needed,
      double estimate,
      double lower,
      double upper,
      long canaryRequests,
      long baselineRequests,
      long canaryEvents,
      long baselineEvents,
      double canaryValue,
      double baselineValue,
      double relativeError,
      long requestsNeeded,
      long secondsNeeded,
      String unusable) {

    public boolean decided() {
      return unusable == null && evidence >= needed;
    }

    /** No requests on one side, or data the judge cannot weigh ({@code unusable} says why). */
    public boolean noData() {
      return canaryRequests == 0 || baselineRequests == 0 || unusable != null;
    }
  }

  /**
   * Judges {@code j} on the stage so far: {@code canary} and {@code baseline} hold both arms'
   * requests since the stage began ({@code stageMillis} ago).
   */
  public static Reading judge(
      Expr.Judge j,
      RequestAccumulator canary,
      RequestAccumulator baseline,
      double alpha,
      long stageMillis) {
    long nc = canary.count();
    long nb = baseline.count();
    double needed = 1 / alpha;
    if (nc == 0 || nb == 0) {
      return unweighed(
          needed,
          Double.NaN,
          nc,
          nb,
          Double.NaN,
          Double.NaN,
          Latency.QUANTILE_RELATIVE_ERROR,
          null);
    }
    double rho = (double) nc / (nc + nb);
    boolean worse = j.worse();
    if (j.sli() == Sli.ERROR_RATE) {
      long xc = canary.errors();
      long xb = baseline.errors();
      double lambda0 = 1 + j.margin();
      double evidence = ShareTest.evidence(xc, xb, rho, lambda0, worse);
      double[] bounds = ShareTest.bounds(xc, xb, rho, alpha);
      double rc = (double) xc / nc;
      double rb = (double) xb / nb;
      double errorScale = ShareTest.scaleNeeded(xc, xb, rho, lambda0, worse, alpha);
      return new Reading(
          evidence,
          needed,
          rb == 0 ? (rc == 0 ? Double.NaN : Double.POSITIVE_INFINITY) : rc / rb,
          bounds[0],
          bounds[1],
          nc,
          nb,
          xc,
          xb,
          rc,
          rb,
          0,
          more(errorScale, nc),
          seconds(errorScale, stageMillis),
          null);
    }
    double q = j.q();
    double qb = baseline.quantileMillis(q);
    double qc = canary.quantileMillis(q);
    double margin = j.margin();
    // Pre-aggregated buckets (OTLP, remote write) hold each request somewhere in a bucket wider
    // than HdrHistogram's: counted against a threshold inside such a bucket, a request could fall
    // on the wrong side, and the evidence would not be bounded by alpha. Weigh nothing then.
    double coarse =
        Math.max(canary.relativeErrorAt((1 + margin) * qb), baseline.relativeErrorAt(qb));
    if (coarse > Latency.QUANTILE_RELATIVE_ERROR * 1.0001) {
      return unweighed(
          needed,
          qc / qb,
          nc,
          nb,
          qc,
          qb,
          coarse,
          String.format(
              java.util.Locale.ROOT,
              "the latencies near the thresholds are pre-aggregated buckets (OTLP or remote"
                  + " write) with an error bound of %.1f%%: too coarse to count requests against"
                  + " them; judge raw samples or HdrHistograms, or use a threshold criterion",
              100 * coarse));
    }
    long xc = canary.countAboveMillis((1 + margin) * qb, worse);
    long xb = baseline.countAboveMillis(qb, !worse);
    double evidence = ShareTest.evidence(xc, xb, rho, 1, worse);
    double lower = ratioBound(canary, baseline, qb, rho, alpha, true);
    double upper = ratioBound(canary, baseline, qb, rho, alpha, false);
    double scale = ShareTest.scaleNeeded(xc, xb, rho, 1, worse, alpha);
    return new Reading(
        evidence,
        needed,
        qc / qb,
        lower,
        upper,
        nc,
        nb,
        xc,
        xb,
        qc,
        qb,
        Math.max(canary.relativeErrorAt(qc), baseline.relativeErrorAt(qb)),
        more(scale, nc),
        seconds(scale, stageMillis),
        null);
  }

  /**
   * The bound on the quantile ratio: the largest ratio {@code r} the canary is shown to exceed
   * ({@code lower}: evidence that its quantile is above {@code r Qb}), or the smallest it is shown
   * to stay under.
   */
  private static double ratioBound(
      RequestAccumulator canary,
      RequestAccumulator baseline,
      double qb,
      double rho,
      double alpha,
      boolean lower) {
    double needed = 1 / alpha;
    long xb = baseline.countAboveMillis(qb, !lower); // the baseline's side does not move with r
    java.util.function.DoublePredicate shown =
        r ->
            ShareTest.evidence(canary.countAboveMillis(r * qb, lower), xb, rho, 1, lower) >= needed;
    double lo = 0.01;
    double hi = 100;
    if (lower ? !shown.test(lo) : !shown.test(hi)) {
      return lower ? 0 : Double.POSITIVE_INFINITY;
    }
    if (lower ? shown.test(hi) : shown.test(lo)) {
      return lower ? hi : lo;
    }
    // lower: the largest r shown (shown falls with r); upper: where shown starts (it rises)
    return lower ? ShareTest.bisect(shown, lo, hi) : ShareTest.bisect(shown.negate(), lo, hi);
  }

  /** A reading that weighs nothing: no evidence, no bounds, {@code unusable} says why if known. */
  private static Reading unweighed(
      double needed,
      double estimate,
      long nc,
      long nb,
      double canaryValue,
      double baselineValue,
      double relativeError,
      String unusable) {
    return new Reading(
        1,
        needed,
        estimate,
        0,
        Double.POSITIVE_INFINITY,
        nc,
        nb,
        0,
        0,
        canaryValue,
        baselineValue,
        relativeError,
        -1,
        -1,
        unusable);
  }

  /** More canary requests needed at {@code scale} times today's; -1 when decided or unknown. */
  private static long more(double scale, long canaryRequests) {
    if (Double.isNaN(scale) || scale <= 1) {
      return -1;
    }
    return (long) Math.ceil((scale - 1) * canaryRequests);
  }

  /** How long that takes at today's traffic; -1 when decided or unknown. */
  private static long seconds(double scale, long stageMillis) {
    if (Double.isNaN(scale) || scale <= 1) {
      return -1;
    }
    return (long) Math.ceil((scale - 1) * stageMillis / 1000.0);
  }
}
