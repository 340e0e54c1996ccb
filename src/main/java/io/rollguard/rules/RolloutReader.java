package io.rollguard.rules;

import io.rollguard.config.Fields;
import io.rollguard.config.Problems;
import io.rollguard.config.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the {@code rollouts:} of a rule file (SPEC 3.4) for {@link RuleLoader}. Stateless. */
final class RolloutReader {

  private static final Pattern STAGE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Duration MAX_FOR = Duration.ofDays(1);

  private RolloutReader() {}

  static Rollout read(YamlNode node, RuleLoader.Context cx) {
    Problems problems = cx.problems();
    Fields f = Fields.of(node, "a rollout", problems, null);
    int before = problems.size();
    String name = cx.claimName(f, "a rollout");
    String description = f.string("description", "");
    Map<String, String> selectSpec = f.stringMap("select");
    RuleLoader.selector(f, "select", selectSpec, problems);
    String stageLabel = f.string("stage_label", "stage");
    if (selectSpec.containsKey(stageLabel)) {
      problems.add(
          f.node("select").position(),
          "'select' must not match the stage label '" + stageLabel + "': the live stage picks it");
    }
    Map<String, String> baselineSpec = null;
    if (f.has("baseline")) {
      baselineSpec = new LinkedHashMap<>(selectSpec);
      baselineSpec.putAll(f.stringMap("baseline"));
      RuleLoader.selector(f, "baseline", baselineSpec, problems);
    }
    Duration window =
        f.duration("window", Duration.ofMinutes(5), Duration.ofSeconds(1), cx.maxWindow());
    Duration every = f.duration("every", null, Duration.ofMillis(100), Duration.ofHours(1));
    long minSamples = f.integer("min_samples", 1, 1, Long.MAX_VALUE);
    double alpha = f.ratio("alpha", 0.01, 1e-6, 0.5);
    List<Rollout.Stage> stages = stages(f, problems);
    List<Rollout.Criterion> promote = new ArrayList<>();
    for (YamlNode item : f.list("promote_when")) {
      Rollout.Criterion c = criterion(item, false, minSamples, baselineSpec != null, cx);
      if (c != null) {
        promote.add(c);
      }
    }
    List<Rollout.Criterion> rollback = new ArrayList<>();
    for (YamlNode item : f.list("rollback_when")) {
      Rollout.Criterion c = criterion(item, true, minSamples, baselineSpec != null, cx);
      if (c != null) {
        rollback.add(c);
      }
    }
    if (promote.isEmpty() && rollback.isEmpty() && problems.size() == before) {
      problems.add(f.position(), "a rollout needs 'promote_when' or 'rollback_when' criteria");
    }
    List<String> notify = cx.receivers(f, "notify");
    Severity severity = RuleLoader.severity(f, "critical", problems);
    f.finish();
    if (problems.size() > before || name == null) {
      return null;
    }
    return new Rollout(
        name,
        description,
        Map.copyOf(selectSpec),
        stageLabel,
        baselineSpec == null ? null : Map.copyOf(baselineSpec),
        window,
        every,
        minSamples,
        alpha,
        List.copyOf(stages),
        List.copyOf(promote),
        List.copyOf(rollback),
        List.copyOf(notify),
        severity,
        f.position());
  }

  private static List<Rollout.Stage> stages(Fields f, Problems problems) {
    List<Rollout.Stage> stages = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<YamlNode> items = f.list("stages");
    if (items.isEmpty()) {
      problems.add(f.position(), "a rollout needs at least one stage under 'stages'");
    }
    double lastTraffic = 0;
    for (YamlNode item : items) {
      Fields s = Fields.of(item, "a stage", problems, null);
      String name = s.requiredString("name");
      if (name != null && !STAGE_NAME.matcher(name).matches()) {
        problems.add(
            s.node("name").position(),
            "stage name '" + name + "' may hold letters, digits, '_', '-' and '.' only");
      } else if (name != null && !seen.add(name)) {
        problems.add(s.node("name").position(), "duplicate stage '" + name + "'");
      }
      double traffic = s.ratio("traffic", 1.0, 0.0, 1.0);
      if (traffic < lastTraffic) {
        problems.add(
            s.node("traffic").position(), "stages must not take less traffic than the one before");
      }
      lastTraffic = traffic;
      Duration minDuration =
          s.duration("min_duration", Duration.ZERO, Duration.ZERO, Duration.ofDays(7));
      s.finish();
      if (name != null) {
        stages.add(new Rollout.Stage(name, traffic, minDuration));
      }
    }
    return stages;
  }

  /** A criterion: a condition as a plain string, or a mapping with {@code when} and options. */
  private static Rollout.Criterion criterion(
      YamlNode item,
      boolean rollback,
      long defaultMinSamples,
      boolean hasBaseline,
      RuleLoader.Context cx) {
    Problems problems = cx.problems();
    YamlNode whenNode;
    Duration forDuration = Duration.ZERO;
    int consecutive = 1;
    long minSamples = defaultMinSamples;
    Fields f = null;
    if (item instanceof YamlNode.Scalar) {
      whenNode = item;
    } else {
      f = Fields.of(item, "a criterion", problems, null);
      if (!f.has("when")) {
        f.requiredString("when");
        f.finish();
        return null;
      }
      whenNode = f.node("when");
      if (rollback) {
        forDuration = f.duration("for", Duration.ZERO, Duration.ZERO, MAX_FOR);
        consecutive = (int) f.integer("consecutive", 1, 1, 10_000);
      }
      minSamples = f.integer("min_samples", defaultMinSamples, 1, Long.MAX_VALUE);
      f.finish();
    }
    if (!(whenNode instanceof YamlNode.Scalar scalar)) {
      problems.add(whenNode.position(), "a criterion must be a condition such as p95 < 200ms");
      return null;
    }
    Expr when = cx.condition(scalar);
    if (when == null) {
      return null;
    }
    if (when instanceof Expr.Judge j) {
      if (!hasBaseline) {
        problems.add(scalar.position(), j + " needs the rollout's 'baseline:' selector");
        return null;
      }
      if (j.worse() != rollback) {
        problems.add(
            scalar.position(),
            rollback
                ? "rollback_when takes worse_than_baseline(...): within_baseline(...) is evidence"
                    + " for promotion, under promote_when"
                : "promote_when takes within_baseline(...): worse_than_baseline(...) is evidence"
                    + " for a rollback, under rollback_when");
        return null;
      }
    }
    if (!hasBaseline && TypeChecker.containsBaseline(when)) {
      problems.add(scalar.position(), "baseline(...) needs the rollout's 'baseline:' selector");
      return null;
    }
    return new Rollout.Criterion(scalar.text(), when, forDuration, consecutive, minSamples);
  }
}
