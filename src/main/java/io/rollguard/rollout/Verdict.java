package io.rollguard.rollout;

import io.rollguard.alerting.Phase;
import io.rollguard.rules.Expr;
import io.rollguard.rules.Rollout;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Truth;
import java.util.List;

/**
 * What a rollout's criteria say about its live stage at one evaluation, for deployers: the
 * decision, since when it has been the decision, and why. Immutable.
 *
 * @param stageSinceMillis when the live stage was set (or the rollout loaded)
 * @param stageSet whether a deployer set the stage ({@code false}: the first stage by default)
 * @param attempt counts attempts: a new one begins when the stage is set after a rollback, or set
 *     back to the first stage
 * @param promoteHoldingSinceMillis since when every promotion criterion has held (0: not holding)
 * @param incidentId the rollback incident of this attempt (null unless rolled back)
 */
public record Verdict(
    Rollout rollout,
    String stage,
    int stageIndex,
    long stageSinceMillis,
    boolean stageSet,
    int attempt,
    Decision decision,
    long sinceMillis,
    List<String> reasons,
    List<CriterionStatus> promote,
    List<CriterionStatus> rollback,
    long promoteHoldingSinceMillis,
    long evaluatedAtMillis,
    String incidentId) {

  /** The answer a deployer acts on. */
  public enum Decision {
    PROMOTE,
    HOLD,
    ROLLBACK;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One criterion now: whether it holds ({@code truth}), its value (left-hand side of its first
   * comparison, NaN for no data) and what that is compared with, every SLI with its sample count,
   * and for rollback criteria their phase (pending while {@code for}/{@code consecutive} run) and
   * since when they have held ({@code sinceMillis}, 0 when not).
   */
  public record CriterionStatus(
      Rollout.Criterion criterion,
      Truth truth,
      double value,
      String valueText,
      String threshold,
      double thresholdValue,
      List<SliReading> readings,
      Phase phase,
      long sinceMillis,
      JudgeStatus judge) {}

  /**
   * A judge criterion's statistics ({@code worse_than_baseline}, {@code within_baseline}): the
   * reading now, and when its evidence reached what it needs in this stage (0: not yet; it holds
   * from then on).
   */
  public record JudgeStatus(Expr.Judge judge, CanaryJudge.Reading reading, long decidedAtMillis) {}

  /** The live stage. */
  public Rollout.Stage stageSpec() {
    return rollout.stages().get(stageIndex);
  }

  /** The stage after the live one, or null at the last. */
  public Rollout.Stage nextStage() {
    return stageIndex + 1 < rollout.stages().size() ? rollout.stages().get(stageIndex + 1) : null;
  }
}
