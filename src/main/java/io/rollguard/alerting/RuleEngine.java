package io.rollguard.alerting;

import io.rollguard.clock.Clock;
import io.rollguard.config.Durations;
import io.rollguard.rules.Evaluator;
import io.rollguard.rules.Inputs;
import io.rollguard.rules.Rule;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Truth;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.Selector;
import io.rollguard.window.SeriesRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates rules over the windows: on each {@link #tick}, every rule that is due is evaluated for
 * each of its instances (one per distinct {@code by} value set, or one in all), and the instance's
 * {@link AlertStateMachine} steps; what changed comes back as {@link AlertEvent}s. The same code
 * serves {@code serve} (system clock), {@code test} and {@code replay} (virtual time).
 *
 * <p><b>Concurrency.</b> Not thread-safe: owned by one thread (the server's rule executor), which
 * calls {@link #setRules} and {@link #tick}. Other threads read {@link #snapshot()}, an immutable
 * view published after each call.
 */
public final class RuleEngine
    extends DefinitionEngine<Rule, RuleEngine.LiveRule, RuleEngine.SavedInstance> {

  /**
   * One instance as readers see it; {@code value} (the left-hand side of the condition's first
   * comparison) and {@code threshold} (its right-hand side) are NaN for no data.
   */
  public record InstanceStatus(
      Map<String, String> labels,
      Phase phase,
      double value,
      double threshold,
      long pendingSinceMillis,
      long firedAtMillis,
      String incidentId) {}

  /** One rule as readers see it. */
  public record RuleStatus(
      Rule rule, long lastEvaluatedMillis, long evaluationNanos, List<InstanceStatus> instances) {}

  /** Everything readers see, as of {@code atMillis}. */
  public record Snapshot(long atMillis, List<RuleStatus> rules) {
    /** The pending and firing instances, with their rules. */
    public List<Map.Entry<Rule, InstanceStatus>> alerts() {
      List<Map.Entry<Rule, InstanceStatus>> alerts = new ArrayList<>();
      for (RuleStatus r : rules) {
        for (InstanceStatus i : r.instances()) {
          if (i.phase() != Phase.INACTIVE) {
            alerts.add(Map.entry(r.rule(), i));
          }
        }
      }
      return alerts;
    }
  }

  private final SeriesRegistry registry;
  private final long defaultIntervalMillis;
  private final Clock clock;
  private final RequestAccumulator accumulator = new RequestAccumulator();
  private final RequestAccumulator baselineAccumulator = new RequestAccumulator();
  private volatile Snapshot snapshot = new Snapshot(0, List.of());

  /**
   * {@code clock} only times evaluations (for the API); what is evaluated is {@link #tick}'s time.
   */
  public RuleEngine(SeriesRegistry registry, Duration defaultInterval, Clock clock) {
    this.registry = registry;
    this.defaultIntervalMillis = defaultInterval.toMillis();
    this.clock = clock;
  }

  /**
   * Replaces the rules. A rule whose definition did not change keeps its instances' states, so a
   * reload neither resolves nor re-fires anything it did not touch; a changed rule with the same
   * {@code by} keeps them too (its new condition decides from the next evaluation on). Instances of
   * rules that are gone, or whose {@code by} changed, resolve: the returned events say so.
   */
  public List<AlertEvent> setRules(List<Rule> rules, long nowMillis) {
    return replace(rules, nowMillis);
  }

  @Override
  protected String nameOf(Rule rule) {
    return rule.name();
  }

  @Override
  protected LiveRule start(Rule rule, long nowMillis) {
    return new LiveRule(rule);
  }

  @Override
  protected LiveRule carry(Rule rule, LiveRule old, long nowMillis, List<AlertEvent> events) {
    if (old.rule.sameDefinition(rule)) {
      return old.withRule(rule);
    }
    if (old.rule.by().equals(rule.by())) {
      LiveRule carried = old.withRule(rule);
      carried.nextDueMillis = 0; // evaluate the new definition at once
      return carried;
    }
    resolveAll(old, "the rule's 'by' labels changed", nowMillis, events);
    return new LiveRule(rule);
  }

  @Override
  protected void retire(LiveRule gone, long nowMillis, List<AlertEvent> events) {
    resolveAll(gone, "the rule was removed", nowMillis, events);
  }

  private static void resolveAll(LiveRule gone, String why, long now, List<AlertEvent> events) {
    gone.states.forEach(
        (key, state) -> {
          if (state.phase() == Phase.FIRING) {
            Map<String, String> labels =
                gone.labels.computeIfAbsent(key, k -> instanceLabels(gone.rule, k));
            events.add(
                event(
                    AlertEvent.Kind.RESOLVED,
                    gone.rule,
                    labels,
                    Double.NaN,
                    "",
                    List.of(),
                    why,
                    state,
                    now));
          }
        });
  }

  /**
   * One non-inactive instance, as persisted across restarts; {@code instance} holds at least the
   * rule's {@code by} labels (others are ignored on restore).
   */
  public record SavedInstance(String rule, Map<String, String> instance, InstanceState state) {}

  @Override
  protected List<SavedInstance> save(LiveRule rt) {
    List<SavedInstance> saved = new ArrayList<>();
    rt.states.forEach(
        (key, state) -> saved.add(new SavedInstance(rt.rule.name(), key.asMap(), state)));
    return saved;
  }

  @Override
  protected String savedName(SavedInstance saved) {
    return saved.rule();
  }

  /**
   * Restores a saved state and holds it through a warm-up of one window length: until the window
   * has refilled, only a true evaluation moves a restored instance, so a restart by itself neither
   * resolves nor re-pages anything.
   */
  @Override
  protected boolean restore(LiveRule rt, SavedInstance s, long nowMillis) {
    Labels key = Labels.of(s.instance()).project(rt.rule.by());
    if (key.size() != rt.rule.by().size()) {
      return false;
    }
    InstanceState st = s.state();
    rt.states.put(
        key,
        new InstanceState(
            st.phase(),
            st.pendingSinceMillis(),
            st.consecutiveTrue(),
            st.firedAtMillis(),
            Math.max(st.lastTrueMillis(), nowMillis),
            st.incidentId()));
    rt.warmUntilMillis.put(key, nowMillis + rt.rule.window().toMillis());
    return true;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** Evaluates the rules due at {@code nowMillis}; returns the transitions, in rule order. */
  public List<AlertEvent> tick(long nowMillis) {
    List<AlertEvent> events = new ArrayList<>();
    for (LiveRule rt : runtimes()) {
      if (nowMillis >= rt.nextDueMillis) {
        long started = clock.monotonicTimeNanos();
        evaluate(rt, nowMillis, events);
        rt.evaluationNanos = clock.monotonicTimeNanos() - started;
        long interval =
            rt.rule.every() == null ? defaultIntervalMillis : rt.rule.every().toMillis();
        rt.nextDueMillis =
            rt.nextDueMillis == 0
                ? nowMillis + interval
                : Math.max(rt.nextDueMillis + interval, nowMillis + 1);
      }
    }
    publish(nowMillis);
    return events;
  }

  private void evaluate(LiveRule rt, long now, List<AlertEvent> events) {
    Rule rule = rt.rule;
    long windowMillis = rule.window().toMillis();
    Map<Labels, SeriesGroup> groups = rt.selection.groups(registry);
    Set<Labels> keys = new LinkedHashSet<>(groups.keySet());
    keys.addAll(rt.states.keySet()); // instances whose series went away still resolve
    if (rule.by().isEmpty() && keys.isEmpty()) {
      keys.add(Labels.EMPTY); // one instance in all, so absence can fire
    }
    Inputs baseline =
        rule.baseline() == null
            ? null
            : new GroupInputs(
                rt.selection.baselineGroup(registry), now, windowMillis, baselineAccumulator, null);
    Timing timing =
        new Timing(
            rule.forDuration().toMillis(), rule.consecutive(), rule.keepFiringFor().toMillis());
    List<InstanceStatus> statuses = new ArrayList<>();
    for (Labels key : keys) {
      Inputs inputs =
          new GroupInputs(
              groups.getOrDefault(key, new SeriesGroup()),
              now,
              windowMillis,
              accumulator,
              baseline);
      Truth truth = Evaluator.test(rule.when(), inputs, rule.minSamples());
      double value = AlertText.value(rule.when(), inputs, rule.minSamples());
      InstanceState before = rt.states.getOrDefault(key, InstanceState.INACTIVE);
      Long warmUntil = rt.warmUntilMillis.get(key);
      if (warmUntil != null && now >= warmUntil) {
        rt.warmUntilMillis.remove(key);
        warmUntil = null;
      }
      AlertStateMachine.Step step =
          warmUntil != null && truth != Truth.TRUE
              ? new AlertStateMachine.Step(before, null) // restored, window still refilling
              : AlertStateMachine.step(
                  before, truth, now, timing, firedAt -> incidentId(rule, key, firedAt));
      InstanceState after = step.state();
      if (after.phase() == Phase.INACTIVE) {
        rt.states.remove(key);
      } else {
        rt.states.put(key, after);
      }
      Map<String, String> labels = rt.labels.computeIfAbsent(key, k -> instanceLabels(rule, k));
      statuses.add(
          new InstanceStatus(
              labels,
              after.phase(),
              value,
              AlertText.thresholdValue(rule.when(), inputs, rule.minSamples()),
              after.pendingSinceMillis(),
              after.firedAtMillis(),
              after.incidentId()));
      AlertEvent.Kind kind = kindOf(step.transition(), before);
      if (kind != null) {
        InstanceState episode = kind == AlertEvent.Kind.RESOLVED ? before : after;
        events.add(
            event(
                kind,
                rule,
                labels,
                value,
                AlertText.threshold(rule, inputs),
                Evaluator.readings(rule.when(), inputs, rule.minSamples()),
                AlertText.reason(rule, kind, truth, episode, value, now),
                episode,
                now));
      }
    }
    rt.labels.keySet().retainAll(keys); // instances that are gone take their labels with them
    rt.lastEvaluatedMillis = now;
    rt.statuses = List.copyOf(statuses);
  }

  /**
   * The event a transition makes, if any: going back to inactive resolves an episode that fired; a
   * pending one that clears was never told to anyone, so there is nothing to resolve.
   */
  private static AlertEvent.Kind kindOf(Phase transition, InstanceState before) {
    if (transition == null) {
      return null;
    }
    return switch (transition) {
      case PENDING -> AlertEvent.Kind.PENDING;
      case FIRING -> AlertEvent.Kind.FIRING;
      case INACTIVE -> before.phase() == Phase.FIRING ? AlertEvent.Kind.RESOLVED : null;
    };
  }

  @Override
  protected void publish(long atMillis) {
    List<RuleStatus> rules = new ArrayList<>();
    for (LiveRule rt : runtimes()) {
      rules.add(new RuleStatus(rt.rule, rt.lastEvaluatedMillis, rt.evaluationNanos, rt.statuses));
    }
    snapshot = new Snapshot(atMillis, List.copyOf(rules));
  }

  private static AlertEvent event(
      AlertEvent.Kind kind,
      Rule rule,
      Map<String, String> labels,
      double value,
      String threshold,
      List<SliReading> readings,
      String reason,
      InstanceState episode,
      long now) {
    return AlertEvent.builder(kind, AlertEvent.Source.RULE, rule.name())
        .severity(rule.severity())
        .labels(labels)
        .annotations(AlertText.annotations(rule, labels, value))
        .expr(rule.whenText())
        .window(Durations.format(rule.window()))
        .value(value, AlertText.formatValue(rule, value))
        .threshold(threshold)
        .readings(readings)
        .reason(reason)
        .incident(episode.incidentId(), episode.pendingSinceMillis(), episode.firedAtMillis())
        .at(now)
        .receivers(rule.receivers())
        .build();
  }

  /**
   * An instance's labels (SPEC 3.3): the exact-value matchers of the rule's {@code select}, the
   * instance's {@code by} values, and the rule's own {@code labels}, later ones winning.
   */
  static Map<String, String> instanceLabels(Rule rule, Labels key) {
    Map<String, String> labels = new TreeMap<>(Selector.exactValues(rule.selectSpec()));
    labels.putAll(key.asMap());
    labels.putAll(rule.labels());
    return Map.copyOf(labels);
  }

  /** A stable incident id: the same rule, instance and firing time always give the same id. */
  static String incidentId(Rule rule, Labels instance, long firedAtMillis) {
    return IncidentIds.of(rule.name() + "|" + instance, firedAtMillis);
  }

  /** A rule with its instances' states and its cached series. */
  static final class LiveRule {
    final Rule rule;
    final Map<Labels, InstanceState> states;

    /** Instance labels by instance key, built once. */
    final Map<Labels, Map<String, String>> labels = new java.util.HashMap<>();

    /** Restored instances and when their warm-up ends. */
    final Map<Labels, Long> warmUntilMillis;

    long nextDueMillis;
    long lastEvaluatedMillis;
    long evaluationNanos;
    List<InstanceStatus> statuses = List.of();
    final SeriesSelection selection;

    LiveRule(Rule rule) {
      this(rule, new LinkedHashMap<>(), new java.util.HashMap<>());
    }

    private LiveRule(
        Rule rule, Map<Labels, InstanceState> states, Map<Labels, Long> warmUntilMillis) {
      this.rule = rule;
      this.states = states;
      this.warmUntilMillis = warmUntilMillis;
      this.selection = new SeriesSelection(rule.select(), rule.by(), rule.baseline());
    }

    LiveRule withRule(Rule newer) {
      LiveRule rt = new LiveRule(newer, states, warmUntilMillis);
      rt.nextDueMillis = nextDueMillis;
      rt.lastEvaluatedMillis = lastEvaluatedMillis;
      rt.statuses = statuses;
      return rt;
    }
  }
}
