package io.rollguard.alerting;

import io.rollguard.clock.Clock;
import io.rollguard.config.Durations;
import io.rollguard.rules.Evaluator;
import io.rollguard.rules.Expr;
import io.rollguard.rules.ExprException;
import io.rollguard.rules.Inputs;
import io.rollguard.rules.Rule;
import io.rollguard.rules.Truth;
import io.rollguard.rules.Type;
import io.rollguard.rules.TypeChecker;
import io.rollguard.window.CheckWindow;
import io.rollguard.window.GaugeWindow;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
public final class RuleEngine {

  /** One instance as readers see it; {@code value} is NaN for no data. */
  public record InstanceStatus(
      Map<String, String> labels,
      Phase phase,
      double value,
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

  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

  private final SeriesRegistry registry;
  private final long defaultIntervalMillis;
  private final Clock clock;
  private final RequestAccumulator accumulator = new RequestAccumulator();
  private final RequestAccumulator baselineAccumulator = new RequestAccumulator();
  private List<RuleRuntime> runtimes = List.of();
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
   * reload neither resolves nor re-fires anything it did not touch.
   */
  public void setRules(List<Rule> rules) {
    Map<String, RuleRuntime> previous = new LinkedHashMap<>();
    for (RuleRuntime rt : runtimes) {
      previous.put(rt.rule.name(), rt);
    }
    List<RuleRuntime> next = new ArrayList<>();
    for (Rule rule : rules) {
      RuleRuntime old = previous.get(rule.name());
      next.add(
          old != null && old.rule.sameDefinition(rule)
              ? old.withRule(rule)
              : new RuleRuntime(rule));
    }
    runtimes = next;
    publish(snapshot.atMillis());
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** Evaluates the rules due at {@code nowMillis}; returns the transitions, in rule order. */
  public List<AlertEvent> tick(long nowMillis) {
    List<AlertEvent> events = new ArrayList<>();
    for (RuleRuntime rt : runtimes) {
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

  private void evaluate(RuleRuntime rt, long now, List<AlertEvent> events) {
    Rule rule = rt.rule;
    long windowMillis = rule.window().toMillis();
    Map<Labels, SeriesGroup> groups = rt.groups(registry);
    Set<Labels> keys = new LinkedHashSet<>(groups.keySet());
    keys.addAll(rt.states.keySet()); // instances whose series went away still resolve
    if (rule.by().isEmpty() && keys.isEmpty()) {
      keys.add(Labels.EMPTY); // one instance in all, so absence can fire
    }
    Inputs baseline =
        rule.baseline() == null
            ? null
            : new GroupInputs(
                rt.baselineGroup(registry), now, windowMillis, baselineAccumulator, null);
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
      double value = value(rule.when(), inputs, rule.minSamples());
      InstanceState before = rt.states.getOrDefault(key, InstanceState.INACTIVE);
      AlertStateMachine.Step step =
          AlertStateMachine.step(
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
              after.pendingSinceMillis(),
              after.firedAtMillis(),
              after.incidentId()));
      if (step.transition() != null) {
        InstanceState episode = step.transition() == Phase.INACTIVE ? before : after;
        events.add(
            new AlertEvent(
                switch (step.transition()) {
                  case PENDING -> AlertEvent.Kind.PENDING;
                  case FIRING -> AlertEvent.Kind.FIRING;
                  default -> AlertEvent.Kind.RESOLVED;
                },
                rule.name(),
                rule.severity(),
                labels,
                annotations(rule, labels, value),
                rule.whenText(),
                Durations.format(rule.window()),
                value,
                episode.incidentId(),
                episode.pendingSinceMillis(),
                episode.firedAtMillis(),
                now));
      }
    }
    rt.labels.keySet().retainAll(keys); // instances that are gone take their labels with them
    rt.lastEvaluatedMillis = now;
    rt.statuses = List.copyOf(statuses);
  }

  private void publish(long atMillis) {
    List<RuleStatus> rules = new ArrayList<>();
    for (RuleRuntime rt : runtimes) {
      rules.add(new RuleStatus(rt.rule, rt.lastEvaluatedMillis, rt.evaluationNanos, rt.statuses));
    }
    snapshot = new Snapshot(atMillis, List.copyOf(rules));
  }

  /** The left-hand side of the condition's first comparison: what "value" means in a message. */
  static double value(Expr condition, Inputs inputs, long minSamples) {
    Expr.Compare compare = firstComparison(condition);
    return compare == null ? Double.NaN : Evaluator.value(compare.left(), inputs, minSamples);
  }

  private static Expr.Compare firstComparison(Expr e) {
    if (e instanceof Expr.Compare c) {
      return c;
    }
    if (e instanceof Expr.Logical l) {
      return firstComparison(l.left());
    }
    return e instanceof Expr.Not n ? firstComparison(n.operand()) : null;
  }

  private static Map<String, String> instanceLabels(Rule rule, Labels key) {
    Map<String, String> labels = new TreeMap<>(key.asMap());
    labels.putAll(rule.labels());
    return Map.copyOf(labels);
  }

  /** Annotations with {@code {{label}}}, {@code {{value}}} and {@code {{rule}}} filled in. */
  private static Map<String, String> annotations(
      Rule rule, Map<String, String> labels, double value) {
    Map<String, String> out = new TreeMap<>();
    for (var e : rule.annotations().entrySet()) {
      Matcher m = TEMPLATE.matcher(e.getValue());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String name = m.group(1);
        String replacement =
            switch (name) {
              case "value" -> formatValue(rule, value);
              case "rule" -> rule.name();
              default -> labels.getOrDefault(name, exactSelectorValue(rule, name, m.group()));
            };
        m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
      }
      m.appendTail(sb);
      out.put(e.getKey(), sb.toString());
    }
    return Map.copyOf(out);
  }

  private static String exactSelectorValue(Rule rule, String name, String otherwise) {
    String spec = rule.selectSpec().get(name);
    return spec == null || spec.startsWith("~") || spec.startsWith("!") ? otherwise : spec;
  }

  /** A value in the unit of what the rule compares: {@code 812.3ms}, {@code 2.35%}, {@code 17}. */
  public static String formatValue(Rule rule, double value) {
    if (Double.isNaN(value)) {
      return "no data";
    }
    Expr.Compare compare = firstComparison(rule.when());
    Type type;
    try {
      type = compare == null ? Type.NUMBER : TypeChecker.typeOf(compare.left());
      if (type == Type.NUMBER && TypeChecker.typeOf(compare.right()) == Type.RATIO) {
        type = Type.RATIO; // gauge("pass_rate") < 95%: show the gauge as a percentage too
      }
    } catch (ExprException e) {
      type = Type.NUMBER;
    }
    return switch (type) {
      case DURATION -> String.format(Locale.ROOT, "%.1fms", value);
      case RATIO -> String.format(Locale.ROOT, "%.3g%%", value * 100);
      default ->
          value == Math.rint(value) && Math.abs(value) < 1e15
              ? Long.toString((long) value)
              : String.format(Locale.ROOT, "%.4g", value);
    };
  }

  /** A stable incident id: the same rule, instance and firing time always give the same id. */
  static String incidentId(Rule rule, Labels instance, long firedAtMillis) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest =
          sha.digest(
              (rule.name() + "|" + instance + "|" + firedAtMillis)
                  .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** A rule with its instances' states and its cached series. */
  private static final class RuleRuntime {
    final Rule rule;
    final Map<Labels, InstanceState> states;

    /** Instance labels by instance key, built once. */
    final Map<Labels, Map<String, String>> labels = new java.util.HashMap<>();

    long nextDueMillis;
    long lastEvaluatedMillis;
    long evaluationNanos;
    List<InstanceStatus> statuses = List.of();
    private long groupsVersion = -1;
    private Map<Labels, SeriesGroup> groups = Map.of();
    private SeriesGroup baselineGroup = new SeriesGroup();

    RuleRuntime(Rule rule) {
      this(rule, new LinkedHashMap<>());
    }

    private RuleRuntime(Rule rule, Map<Labels, InstanceState> states) {
      this.rule = rule;
      this.states = states;
    }

    RuleRuntime withRule(Rule newer) {
      RuleRuntime rt = new RuleRuntime(newer, states);
      rt.nextDueMillis = nextDueMillis;
      rt.lastEvaluatedMillis = lastEvaluatedMillis;
      rt.statuses = statuses;
      return rt;
    }

    /** The rule's series grouped by its {@code by} labels, recomputed when series come or go. */
    Map<Labels, SeriesGroup> groups(SeriesRegistry registry) {
      refresh(registry);
      return groups;
    }

    SeriesGroup baselineGroup(SeriesRegistry registry) {
      refresh(registry);
      return baselineGroup;
    }

    private void refresh(SeriesRegistry registry) {
      long version = registry.version();
      if (version == groupsVersion) {
        return;
      }
      Map<Labels, SeriesGroup> fresh = new LinkedHashMap<>();
      SeriesGroup base = new SeriesGroup();
      for (RequestWindow w : registry.requestWindows()) {
        if (rule.select().matches(w.labels())) {
          fresh
              .computeIfAbsent(w.labels().project(rule.by()), k -> new SeriesGroup())
              .requests
              .add(w);
        }
        if (rule.baseline() != null && rule.baseline().matches(w.labels())) {
          base.requests.add(w);
        }
      }
      for (GaugeWindow w : registry.gaugeWindows()) {
        if (rule.select().matches(w.labels())) {
          fresh
              .computeIfAbsent(w.labels().project(rule.by()), k -> new SeriesGroup())
              .gauges
              .add(w);
        }
        if (rule.baseline() != null && rule.baseline().matches(w.labels())) {
          base.gauges.add(w);
        }
      }
      for (CheckWindow w : registry.checkWindows()) {
        if (rule.select().matches(w.labels())) {
          fresh
              .computeIfAbsent(w.labels().project(rule.by()), k -> new SeriesGroup())
              .checks
              .add(w);
        }
        if (rule.baseline() != null && rule.baseline().matches(w.labels())) {
          base.checks.add(w);
        }
      }
      groups = fresh;
      baselineGroup = base;
      groupsVersion = version;
    }
  }
}
