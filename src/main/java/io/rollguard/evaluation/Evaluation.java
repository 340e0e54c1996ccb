package io.rollguard.evaluation;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.Clock;
import io.rollguard.rollout.RolloutEngine;
import io.rollguard.rules.RuleLoader;
import io.rollguard.slo.SloEngine;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a rule file set evaluates over one {@link SeriesRegistry}: its rules, rollouts and
 * SLOs. {@code serve} ticks it on the system clock; {@code test} and {@code replay} on virtual
 * time; the code that decides is the same.
 *
 * <p><b>Concurrency.</b> Not thread-safe: owned by one thread, which loads, ticks and sets stages.
 * The engines' snapshots may be read from any thread.
 */
public final class Evaluation {

  /** What one tick changed: alert transitions, rollback verdicts, SLO tier transitions. */
  public record Tick(List<AlertEvent> alerts, List<AlertEvent> rollbacks, List<AlertEvent> burns) {
    /** All of them, in that order. */
    public List<AlertEvent> all() {
      List<AlertEvent> all = new ArrayList<>(alerts);
      all.addAll(rollbacks);
      all.addAll(burns);
      return all;
    }
  }

  private final RuleEngine rules;
  private final RolloutEngine rollouts;
  private final SloEngine slos;
  private final SeriesRegistry registry;

  /**
   * @param interval how often rules and rollouts without their own {@code every} are evaluated
   * @param maxFutureSkew how far ahead of now samples may be stamped (SLO counts keep room for it)
   * @param clock only times evaluations (for the API); what is evaluated is the tick's time
   */
  public Evaluation(
      SeriesRegistry registry, Duration interval, Duration maxFutureSkew, Clock clock) {
    this.registry = registry;
    this.rules = new RuleEngine(registry, interval, clock);
    this.rollouts = new RolloutEngine(registry, interval);
    this.slos = new SloEngine(registry.sloTaps(), maxFutureSkew);
  }

  public RuleEngine rules() {
    return rules;
  }

  public RolloutEngine rollouts() {
    return rollouts;
  }

  public SloEngine slos() {
    return slos;
  }

  /**
   * Takes a valid rule file set: what did not change keeps its state, what is gone resolves (the
   * returned events).
   */
  public List<AlertEvent> load(RuleLoader.Result files, long nowMillis) {
    registry.fineReach().set(longestFineWindow(files));
    List<AlertEvent> events = new ArrayList<>(rules.setRules(files.rules(), nowMillis));
    events.addAll(rollouts.setRollouts(files.rollouts(), nowMillis));
    events.addAll(slos.setSlos(files.slos(), nowMillis));
    return events;
  }

  /**
   * The longest window up to 15 min a rule or rollout reads: request windows keep 1 s slices that
   * far back, so those windows are read at 1 s resolution at both edges.
   */
  static Duration longestFineWindow(RuleLoader.Result files) {
    Duration limit = Duration.ofMillis(WindowSettings.FINE_SPAN_LIMIT_MILLIS);
    Duration longest = Duration.ZERO;
    for (var rule : files.rules()) {
      if (rule.window().compareTo(limit) <= 0 && rule.window().compareTo(longest) > 0) {
        longest = rule.window();
      }
    }
    for (var rollout : files.rollouts()) {
      if (rollout.window().compareTo(limit) <= 0 && rollout.window().compareTo(longest) > 0) {
        longest = rollout.window();
      }
    }
    return longest;
  }

  /** Evaluates what is due at {@code nowMillis}. */
  public Tick tick(long nowMillis) {
    return new Tick(rules.tick(nowMillis), rollouts.tick(nowMillis), slos.tick(nowMillis));
  }
}
