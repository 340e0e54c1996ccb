package io.rollguard.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sequential test's statistics against an independent calculation, and its promise: under the
 * null, the evidence reaches 1/alpha in at most an alpha share of runs however often it is read.
 */
class ShareTestTest {

  private static final double[] GRID = {
    1.02, 1.05, 1.1, 1.2, 1.35, 1.5, 1.75, 2, 2.5, 3, 4, 6, 10, 20
  };

  /** The mixture as a product over events, one Bernoulli likelihood ratio at a time. */
  private static double sequential(
      boolean[] canaryOwns, double rho, double lambda0, boolean worse) {
    double theta0 = lambda0 * rho / (lambda0 * rho + 1 - rho);
    double sum = 0;
    for (double g : GRID) {
      double lambda = worse ? lambda0 * g : lambda0 / g;
      double theta = lambda * rho / (lambda * rho + 1 - rho);
      double product = 1;
      for (boolean own : canaryOwns) {
        product *= own ? theta / theta0 : (1 - theta) / (1 - theta0);
      }
      sum += product;
    }
    return sum / GRID.length;
  }

  @Test
  void theEvidenceIsTheMixtureOfLikelihoodRatiosOverTheEvents() {
    boolean[] events = new boolean[40];
    int canary = 0;
    for (int i = 0; i < events.length; i++) {
      events[i] = i % 4 == 0; // 10 of 40 events are the canary's, at a 10% traffic share
      canary += events[i] ? 1 : 0;
    }
    for (double lambda0 : new double[] {1.0, 1.5}) {
      for (boolean worse : new boolean[] {true, false}) {
        double expected = sequential(events, 0.1, lambda0, worse);
        assertThat(ShareTest.evidence(canary, events.length - canary, 0.1, lambda0, worse))
            .isCloseTo(expected, within(expected * 1e-9));
      }
    }
    // 10 of 40 where 4 are expected: strong evidence of worse, none of better
    assertThat(ShareTest.evidence(10, 30, 0.1, 1, true)).isGreaterThan(10);
    assertThat(ShareTest.evidence(10, 30, 0.1, 1, false)).isLessThan(1);
    assertThat(ShareTest.evidence(0, 0, 0.1, 1, true)).isEqualTo(1);
  }

  @Test
  void underTheNullTheEvidenceRarelyEverReachesOneOverAlphaHoweverOftenItIsRead() {
    Random random = new Random(11);
    double alpha = 0.05;
    int runs = 2_000;
    int crossed = 0;
    for (int run = 0; run < runs; run++) {
      long canary = 0;
      long baseline = 0;
      for (int event = 0; event < 1_000; event++) {
        if (random.nextDouble() < 0.1) {
          canary++;
        } else {
          baseline++;
        }
        // read after every event: the most peeking there can be
        if (ShareTest.evidence(canary, baseline, 0.1, 1, true) >= 1 / alpha) {
          crossed++;
          break;
        }
      }
    }
    // Ville: at most alpha (5% of 2,000 = 100); the mixture is conservative, well under
    assertThat(crossed).isLessThan(100);
  }

  @Test
  void aCanaryTwiceAsBadIsShownWorseAndTheBoundsHoldItsRatio() {
    Random random = new Random(5);
    double rho = 0.1;
    double theta = ShareTest.theta(2, rho);
    int shown = 0;
    int covered = 0;
    for (int run = 0; run < 200; run++) {
      long canary = 0;
      long baseline = 0;
      for (int event = 0; event < 500; event++) {
        if (random.nextDouble() < theta) {
          canary++;
        } else {
          baseline++;
        }
      }
      if (ShareTest.evidence(canary, baseline, rho, 1, true) >= 100) {
        shown++;
      }
      double[] bounds = ShareTest.bounds(canary, baseline, rho, 0.01);
      if (bounds[0] < 2 && 2 < bounds[1]) {
        covered++;
      }
      // at the bounds, the evidence is what alpha asks for
      if (bounds[0] > 0) {
        assertThat(ShareTest.evidence(canary, baseline, rho, bounds[0], true))
            .isCloseTo(100, within(0.5));
      }
    }
    assertThat(shown).isGreaterThan(190);
    assertThat(covered).isGreaterThanOrEqualTo(196);
  }

  @Test
  void theScaleNeededIsWhereTheEvidenceReachesWhatItNeeds() {
    // 6 of 40 at a 10% share: suggestive, not yet shown at alpha 1%
    double evidence = ShareTest.evidence(6, 34, 0.1, 1, true);
    assertThat(evidence).isLessThan(100);
    double k = ShareTest.scaleNeeded(6, 34, 0.1, 1, true, 0.01);
    assertThat(k).isGreaterThan(1);
    assertThat(ShareTest.evidence(6 * k, 34 * k, 0.1, 1, true)).isCloseTo(100, within(1.0));
    assertThat(ShareTest.evidence(6 * k * 0.95, 34 * k * 0.95, 0.1, 1, true)).isLessThan(100);
    // exactly the traffic share: no amount of the same will show it worse
    assertThat(ShareTest.scaleNeeded(4, 36, 0.1, 1, true, 0.01)).isNaN();
  }
}
