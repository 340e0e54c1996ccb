package io.rollguard.rollout;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.AlertStateMachine;
import io.rollguard.alerting.AlertText;
import io.rollguard.alerting.DefinitionEngine;
import io.rollguard.alerting.GroupInputs;
import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.SeriesSelection;
import io.rollguard.alerting.Timing;
import io.rollguard.rules.Evaluator;
import io.rollguard.rules.Expr;
import io.rollguard.rules.Inputs;
import io.rollguard.rules.Rollout;
import io.rollguard.rules.Sli;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Truth;
import io.rollguard.rules.Type;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.SeriesRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides rollouts: on each {@link #tick}, every rollout's criteria are evaluated over its live
 * stage's series (and the baseline's), and the verdict follows.
 *
 * <ul>
 *   <li><b>rollback</b> as soon as any rollback criterion fires (each with its own {@code for},
 *       {@code consecutive} and {@code min_samples}). The verdict then stays {@code rollback} for
 *       the rest of the attempt, so a deployer that polls late still sees it, and the rollout's
 *       receivers are notified once (a firing event with the rollout and stage).
 *   <li><b>promote</b> once every promotion criterion has held, without a break, for the stage's
 *       {@code min_duration}.
 *   <li><b>hold</b> otherwise, with the reasons: criteria that do not hold, criteria with too few
 *       samples on either side (no data decides nothing), time still to wait.
 * </ul>
 *
 * Setting the stage starts it afresh (criteria, timers); setting the same stage again is a no-op,
 * so deployers may retry. A new attempt (after a rollback, or back at the first stage) resolves the
 * previous attempt's rollback incident.
 *
 * <p><b>Concurrency.</b> Not thread-safe: owned by one thread (the server's rules worker), which
 * calls every method but {@link #verdicts()}; readers use that immutable map.
 */
public final class RolloutEngine
    extends DefinitionEngine<Rollout, RolloutEngine.LiveRollout, RolloutEngine.SavedStage> {

  /** A rollout's stage and rollback as persisted across restarts. */
  public record SavedStage(
      String rollout,
      String stage,
      long stageSinceMillis,
      boolean stageSet,
      int attempt,
      String rollbackIncidentId,
      long rollbackFiredAtMillis,
      List<String> rollbackReasons) {}

  /** The outcome of setting a stage: the verdict right after, or why it was refused. */
  public record StageChange(Verdict verdict, List<AlertEvent> events, String error) {}

  private final SeriesRegistry registry;
  private final long defaultIntervalMillis;
  private final RequestAccumulator stageAccumulator = new RequestAccumulator();
  private final RequestAccumulator baselineAccumulator = new RequestAccumulator();
  private volatile Map<String, Verdict> verdicts = Map.of();

  /** {@code defaultInterval}: how often rollouts without their own {@code every} are evaluated. */
  public RolloutEngine(SeriesRegistry registry, Duration defaultInterval) {
    this.registry = registry;
    this.defaultIntervalMillis = defaultInterval.toMillis();
  }

  /** The latest verdict of every rollout, by name, in file order. */
  public Map<String, Verdict> verdicts() {
    return verdicts;
  }

  /**
   * Replaces the rollouts. A rollout whose definition did not change keeps everything; a changed
   * one keeps its live stage (if it still has it) and its rollback, and starts its criteria afresh.
   * A rollout that is gone resolves its rollback incident (the returned events). New and changed
   * rollouts are evaluated at once, so each has a verdict from the moment it loads.
   */
  public List<AlertEvent> setRollouts(List<Rollout> rollouts, long nowMillis) {
    List<AlertEvent> events = new ArrayList<>(replace(rollouts, nowMillis));
    for (LiveRollout rt : runtimes()) {
      if (rt.verdict == null) {
        events.addAll(evaluate(rt, nowMillis)); // a verdict from the moment it loads
      }
    }
    publish(nowMillis);
    return events;
  }

  @Override
  protected String nameOf(Rollout rollout) {
    return rollout.name();
  }

  @Override
  protected LiveRollout start(Rollout rollout, long nowMillis) {
    return LiveRollout.started(rollout, nowMillis);
  }

  @Override
  protected LiveRollout carry(
      Rollout rollout, LiveRollout old, long nowMillis, List<AlertEvent> events) {
    if (old.rollout.sameDefinition(rollout)) {
      return old.withRollout(rollout);
    }
    LiveRollout rt = LiveRollout.started(rollout, nowMillis);
    int stage = rollout.stageIndex(old.stage().name());
    if (stage >= 0) {
      rt.restore(old.save(), stage);
    }
    return rt;
  }

  @Override
  protected void retire(LiveRollout gone, long nowMillis, List<AlertEvent> events) {
    if (gone.rollback != null) {
      events.add(
          RolloutText.resolvedEvent(gone.rollback.event(), "the rollout was removed", nowMillis));
    }
  }

  /** Sets the live stage of {@code name} and evaluates the rollout at once. */
  public StageChange setStage(String name, String stage, long nowMillis) {
    LiveRollout rt = runtime(name);
    if (rt == null) {
      return new StageChange(null, List.of(), "no rollout named '" + name + "'");
    }
    int index = rt.rollout.stageIndex(stage);
    if (index < 0) {
      return new StageChange(
          null,
          List.of(),
          "rollout '"
              + name
              + "' has no stage '"
              + stage
              + "' (stages: "
              + String.join(", ", rt.rollout.stages().stream().map(Rollout.Stage::name).toList())
              + ")");
    }
    List<AlertEvent> events = new ArrayList<>();
    boolean same = index == rt.stageIndex && rt.stageSet && rt.rollback == null;
    if (!same) {
      boolean newAttempt = rt.rollback != null || (index == 0 && rt.stageIndex != 0);
      if (rt.rollback != null) {
        events.add(
            RolloutText.resolvedEvent(
                rt.rollback.event(), "a new attempt began at stage " + stage, nowMillis));
        rt.rollback = null;
      }
      if (newAttempt) {
        rt.attempt++;
      }
      Rollout.Stage from = rt.rollout.stages().get(rt.stageIndex);
      rt.enterStage(index, nowMillis);
      rt.stageSet = true;
      events.add(
          RolloutText.stageChangedEvent(
              rt.rollout, from, rt.rollout.stages().get(index), rt.attempt, nowMillis));
    }
    events.addAll(evaluate(rt, nowMillis));
    publish(nowMillis);
    return new StageChange(rt.verdict, events, null);
  }

  /** Evaluates the rollouts due at {@code nowMillis}; returns the rollback notifications. */
  public List<AlertEvent> tick(long nowMillis) {
    List<AlertEvent> events = new ArrayList<>();
    for (LiveRollout rt : runtimes()) {
      if (nowMillis >= rt.nextDueMillis) {
        events.addAll(evaluate(rt, nowMillis));
      }
    }
    publish(nowMillis);
    return events;
  }

  @Override
  protected List<SavedStage> save(LiveRollout rt) {
    return List.of(rt.save());
  }

  @Override
  protected String savedName(SavedStage saved) {
    return saved.rollout();
  }

  /** A saved stage of a stage the rollout no longer has does not fit. */
  @Override
  protected boolean restore(LiveRollout rt, SavedStage s, long nowMillis) {
    int index = rt.rollout.stageIndex(s.stage());
    if (index < 0) {
      return false;
    }
    rt.restore(s, index);
    return true;
  }

  private List<AlertEvent> evaluate(LiveRollout rt, long now) {
    Rollout r = rt.rollout;
    rt.nextDueMillis = now + (r.every() == null ? defaultIntervalMillis : r.every().toMillis());
    long windowMillis = r.window().toMillis();
    Inputs baseline =
        r.baselineSpec() == null
            ? null
            : new GroupInputs(
                rt.selection.baselineGroup(registry), now, windowMillis, baselineAccumulator, null);
    Inputs inputs =
        new GroupInputs(rt.selection.all(registry), now, windowMillis, stageAccumulator, baseline);
    List<AlertEvent> events = new ArrayList<>();

    List<Verdict.CriterionStatus> rollback = new ArrayList<>();
    List<Verdict.CriterionStatus> firing = new ArrayList<>();
    for (int i = 0; i < r.rollbackWhen().size(); i++) {
      Rollout.Criterion c = r.rollbackWhen().get(i);
      CanaryJudge.Reading reading =
          c.when() instanceof Expr.Judge j
              ? judge(rt, j, rt.rollbackDecided, i, alphaShare(r, r.rollbackWhen()), now)
              : null;
      Truth truth =
          reading != null
              ? judgeTruth(reading, rt.rollbackDecided[i])
              : Evaluator.test(c.when(), inputs, c.minSamples());
      Timing timing = new Timing(c.forDuration().toMillis(), c.consecutive(), 0);
      InstanceState state =
          AlertStateMachine.step(rt.criteria[i], truth, now, timing, firedAt -> null).state();
      rt.criteria[i] = state;
      Verdict.CriterionStatus status =
          reading != null
              ? judgeStatus(c, truth, reading, rt.rollbackDecided[i], state)
              : status(c, truth, inputs, state);
      rollback.add(status);
      if (state.phase() == Phase.FIRING) {
        firing.add(status);
      }
    }
    if (rt.rollback == null && !firing.isEmpty()) {
      rt.rollback = RolloutText.rollback(r, rt.stage(), rt.attempt, firing, now);
      events.add(rt.rollback.event());
    }

    List<Verdict.CriterionStatus> promote = new ArrayList<>();
    boolean allHold = true; // the threshold criteria, which must hold without a break
    boolean allShown = true; // the judge's, which hold once shown
    boolean anyThreshold = false;
    for (int i = 0; i < r.promoteWhen().size(); i++) {
      Rollout.Criterion c = r.promoteWhen().get(i);
      if (c.when() instanceof Expr.Judge j) {
        CanaryJudge.Reading reading = judge(rt, j, rt.promoteDecided, i, r.alpha(), now);
        Truth truth = judgeTruth(reading, rt.promoteDecided[i]);
        allShown &= truth == Truth.TRUE;
        promote.add(judgeStatus(c, truth, reading, rt.promoteDecided[i], null));
      } else {
        Truth truth = Evaluator.test(c.when(), inputs, c.minSamples());
        allHold &= truth == Truth.TRUE;
        anyThreshold = true;
        promote.add(status(c, truth, inputs, null));
      }
    }
    if (!allHold) {
      rt.promoteHoldingSince = 0;
    } else if (rt.promoteHoldingSince == 0) {
      // with judge criteria only, the stage's min_duration runs from the stage's start
      rt.promoteHoldingSince = anyThreshold ? now : rt.stageSince;
    }
    allHold &= allShown;
    Rollout.Stage stage = rt.stage();
    Verdict.Decision decision;
    List<String> reasons = new ArrayList<>();
    if (rt.rollback != null) {
      decision = Verdict.Decision.ROLLBACK;
      reasons.addAll(rt.rollback.reasons());
    } else if (allHold && now - rt.promoteHoldingSince >= stage.minDuration().toMillis()) {
      decision = Verdict.Decision.PROMOTE;
      reasons.add(RolloutText.promoteReason(r, stage, now - rt.promoteHoldingSince));
    } else {
      decision = Verdict.Decision.HOLD;
      RolloutText.holdReasons(r, stage, rt.promoteHoldingSince, promote, rollback, now, reasons);
    }
    if (rt.verdict == null || rt.verdict.decision() != decision) {
      rt.decisionSince = now;
    }
    rt.verdict =
        new Verdict(
            r,
            stage.name(),
            rt.stageIndex,
            rt.stageSince,
            rt.stageSet,
            rt.attempt,
            decision,
            rt.decisionSince,
            List.copyOf(reasons),
            List.copyOf(promote),
            List.copyOf(rollback),
            rt.promoteHoldingSince,
            now,
            rt.rollback == null ? null : rt.rollback.event().incidentId());
    return events;
  }

  /**
   * Each rollback judge criterion's share of the rollout's alpha: any one of them rolls back, so
   * they share it equally and the chance that any of them rolls back a canary within every margin
   * is at most alpha. (Promotion needs every within_baseline shown: to promote a canary worse on
   * one of them, that one must be wrong, so each may use the whole alpha.)
   */
  private static double alphaShare(Rollout r, List<Rollout.Criterion> list) {
    long judges = list.stream().filter(c -> c.when() instanceof Expr.Judge).count();
    return r.alpha() / Math.max(1, judges);
  }

  /** Once the evidence has reached what it needs in this stage, the criterion holds for good. */
  private static Truth judgeTruth(CanaryJudge.Reading reading, long decidedAt) {
    if (decidedAt > 0 || reading.decided()) {
      return Truth.TRUE;
    }
    return reading.noData() ? Truth.NO_DATA : Truth.FALSE;
  }

  private static Verdict.CriterionStatus judgeStatus(
      Rollout.Criterion c,
      Truth truth,
      CanaryJudge.Reading reading,
      long decidedAt,
      InstanceState state) {
    Expr.Judge j = (Expr.Judge) c.when();
    return new Verdict.CriterionStatus(
        c,
        truth,
        reading.evidence(),
        RolloutText.judgeSummary(j, reading, decidedAt),
        "evidence >= " + RolloutText.number(reading.needed()),
        reading.needed(),
        judgeReadings(j, reading),
        state == null ? null : state.phase(),
        state == null || state.phase() == Phase.INACTIVE ? 0 : state.pendingSinceMillis(),
        new Verdict.JudgeStatus(j, reading, decidedAt));
  }

  /** The SLI of both arms over the stage, with their request counts and error bounds. */
  private static List<SliReading> judgeReadings(Expr.Judge j, CanaryJudge.Reading reading) {
    String sli = j.sliText();
    Type type = j.sli() == Sli.ERROR_RATE ? Type.RATIO : Type.DURATION;
    double error = j.sli() == Sli.ERROR_RATE ? 0 : reading.relativeError();
    return List.of(
        new SliReading(
            sli + " over the stage", type, reading.canaryValue(), reading.canaryRequests(), error),
        new SliReading(
            "baseline(" + sli + ") over the stage",
            type,
            reading.baselineValue(),
            reading.baselineRequests(),
            error));
  }

  /**
   * Judges {@code j} on both arms over the live stage so far ({@link StageCounts}), and latches
   * {@code decided[i]} when its evidence first reaches what it needs.
   */
  private CanaryJudge.Reading judge(
      LiveRollout rt, Expr.Judge j, long[] decided, int i, double alpha, long now) {
    catchUp(rt.judged, rt, now);
    CanaryJudge.Reading reading =
        CanaryJudge.judge(
            j,
            rt.judged.canary,
            rt.judged.baseline,
            alpha,
            Math.max(1_000, now - rt.stageSince + 1));
    if (decided[i] == 0 && reading.decided()) {
      decided[i] = now;
    }
    return reading;
  }

  private static Verdict.CriterionStatus status(
      Rollout.Criterion c, Truth truth, Inputs inputs, InstanceState state) {
    double value = AlertText.value(c.when(), inputs, c.minSamples());
    return new Verdict.CriterionStatus(
        c,
        truth,
        value,
        AlertText.formatValue(c.when(), value),
        AlertText.threshold(c.when(), inputs, c.minSamples()),
        AlertText.thresholdValue(c.when(), inputs, c.minSamples()),
        Evaluator.readings(c.when(), inputs, c.minSamples()),
        state == null ? null : state.phase(),
        state == null || state.phase() == Phase.INACTIVE ? 0 : state.pendingSinceMillis(),
        null);
  }

  @Override
  protected void publish(long nowMillis) {
    Map<String, Verdict> out = new LinkedHashMap<>();
    for (LiveRollout rt : runtimes()) {
      if (rt.verdict != null) {
        out.put(rt.rollout.name(), rt.verdict);
      }
    }
    verdicts = java.util.Collections.unmodifiableMap(out);
  }

  /**
   * What the judge has of both arms in the live stage: whole seconds up to {@code through}, kept
   * per stage and added to, never re-read. Each evaluation adds the seconds completed since the
   * last one, so the judge sees everything since the stage began, however long the stage, at the
   * cost of the new seconds only; samples that arrive for a second already added are not counted.
   */
  static final class StageCounts {
    final RequestAccumulator canary = new RequestAccumulator();
    final RequestAccumulator baseline = new RequestAccumulator();

    /** The last whole second added (epoch seconds); below the stage's first second at first. */
    long through = Long.MIN_VALUE;
  }

  /**
   * Adds the whole seconds of the stage completed since the last call into {@code counts}; a second
   * call at the same time adds nothing.
   */
  private void catchUp(StageCounts counts, LiveRollout rt, long now) {
    long stageFirst = Math.floorDiv(rt.stageSince, 1_000);
    long complete = Math.floorDiv(now, 1_000) - 1; // the current second is still filling
    long from = Math.max(counts.through + 1, stageFirst);
    if (complete < from) {
      return;
    }
    // seconds [from, complete]: a window of that many seconds ending within second `complete`
    long windowMillis =
        Math.min((complete - from + 1) * 1_000, registry.settings().maxWindowMillis());
    long end = complete * 1_000 + 999;
    rt.selection.all(registry).addRequestsTo(counts.canary, end, windowMillis);
    rt.selection.baselineGroup(registry).addRequestsTo(counts.baseline, end, windowMillis);
    counts.through = complete;
  }

  /** A rollout with its live stage, criteria states and rollback. */
  static final class LiveRollout {
    final Rollout rollout;
    int stageIndex;
    long stageSince;
    boolean stageSet;
    int attempt = 1;
    InstanceState[] criteria;

    /** When each judge criterion's evidence reached what it needs in this stage; 0: not yet. */
    long[] rollbackDecided;

    long[] promoteDecided;

    /** Both arms' requests in this stage so far, for the judge (a new one per stage). */
    StageCounts judged;

    long promoteHoldingSince;
    long decisionSince;
    long nextDueMillis;
    SeriesSelection selection;

    /** This attempt's rollback; null until one fires. */
    RolloutText.Rollback rollback;

    Verdict verdict;

    private LiveRollout(Rollout rollout) {
      this.rollout = rollout;
    }

    /** A rollout at its first stage, entered at {@code now}. */
    static LiveRollout started(Rollout rollout, long now) {
      LiveRollout rt = new LiveRollout(rollout);
      rt.enterStage(0, now);
      return rt;
    }

    Rollout.Stage stage() {
      return rollout.stages().get(stageIndex);
    }

    void enterStage(int index, long now) {
      stageIndex = index;
      stageSince = now;
      promoteHoldingSince = 0;
      criteria = new InstanceState[rollout.rollbackWhen().size()];
      java.util.Arrays.fill(criteria, InstanceState.INACTIVE);
      rollbackDecided = new long[rollout.rollbackWhen().size()];
      promoteDecided = new long[rollout.promoteWhen().size()];
      judged = new StageCounts();
      selection =
          new SeriesSelection(
              rollout.stageSelector(stage().name()), List.of(), rollout.baselineSelector());
      verdict = null;
    }

    LiveRollout withRollout(Rollout newer) {
      LiveRollout rt = new LiveRollout(newer);
      rt.stageIndex = stageIndex;
      rt.stageSince = stageSince;
      rt.stageSet = stageSet;
      rt.attempt = attempt;
      rt.criteria = criteria;
      rt.rollbackDecided =
          rollbackDecided.length == newer.rollbackWhen().size()
              ? rollbackDecided
              : new long[newer.rollbackWhen().size()];
      rt.promoteDecided =
          promoteDecided.length == newer.promoteWhen().size()
              ? promoteDecided
              : new long[newer.promoteWhen().size()];
      rt.judged = judged;
      rt.promoteHoldingSince = promoteHoldingSince;
      rt.decisionSince = decisionSince;
      rt.nextDueMillis = nextDueMillis;
      rt.selection = selection;
      rt.rollback = rollback;
      rt.verdict = verdict;
      return rt;
    }

    SavedStage save() {
      return new SavedStage(
          rollout.name(),
          stage().name(),
          stageSince,
          stageSet,
          attempt,
          rollback == null ? null : rollback.event().incidentId(),
          rollback == null ? 0 : rollback.event().firedAtMillis(),
          rollback == null ? List.of() : rollback.reasons());
    }

    void restore(SavedStage s, int index) {
      enterStage(index, s.stageSinceMillis());
      stageSet = s.stageSet();
      attempt = s.attempt();
      if (s.rollbackIncidentId() != null) {
        rollback = RolloutText.restoredRollback(rollout, stage(), s);
      }
    }
  }
}
