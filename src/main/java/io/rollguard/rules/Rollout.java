package io.rollguard.rules;

import io.rollguard.config.Position;
import io.rollguard.window.Selector;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A progressive rollout as written in a rule file (SPEC 3.4), validated. The live stage's series
 * are those {@code select} picks with {@code stageLabel} equal to the stage's name; {@code
 * baseline} (null without one) is {@code select} with the baseline's matchers laid over it. {@code
 * every} is null when the rollout uses the server's evaluation interval. {@code alpha} bounds the
 * chance that the judge's criteria ({@code worse_than_baseline}, {@code within_baseline}) decide
 * wrongly in a stage: the rollback criteria share it, and so do the promotion criteria. Immutable.
 */
public record Rollout(
    String name,
    String description,
    Map<String, String> selectSpec,
    String stageLabel,
    Map<String, String> baselineSpec,
    Duration window,
    Duration every,
    long minSamples,
    double alpha,
    List<Stage> stages,
    List<Criterion> promoteWhen,
    List<Criterion> rollbackWhen,
    List<String> receivers,
    Severity severity,
    Position position) {

  /** One stage: its name (the value of the stage label), its share of traffic, how long it runs. */
  public record Stage(String name, double traffic, Duration minDuration) {}

  /**
   * A promotion or rollback criterion: the condition as written and parsed, how long ({@code for})
   * and how many evaluations in a row ({@code consecutive}) it must hold before it counts (rollback
   * criteria only), and the fewest requests on each side below which it is no data.
   */
  public record Criterion(
      String text, Expr when, Duration forDuration, int consecutive, long minSamples) {}

  /** The selector of the live stage's series. */
  public Selector stageSelector(String stage) {
    Map<String, String> spec = new LinkedHashMap<>(selectSpec);
    spec.put(stageLabel, stage);
    return Selector.parse(spec);
  }

  /** The baseline selector, or null without one. */
  public Selector baselineSelector() {
    return baselineSpec == null ? null : Selector.parse(baselineSpec);
  }

  /** The stage named {@code name}, or -1. */
  public int stageIndex(String name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code other} says the same as this rollout (where it stands in its file aside). */
  public boolean sameDefinition(Rollout other) {
    return name.equals(other.name)
        && description.equals(other.description)
        && selectSpec.equals(other.selectSpec)
        && stageLabel.equals(other.stageLabel)
        && java.util.Objects.equals(baselineSpec, other.baselineSpec)
        && window.equals(other.window)
        && java.util.Objects.equals(every, other.every)
        && minSamples == other.minSamples
        && alpha == other.alpha
        && stages.equals(other.stages)
        && texts(promoteWhen).equals(texts(other.promoteWhen))
        && texts(rollbackWhen).equals(texts(other.rollbackWhen))
        && receivers.equals(other.receivers)
        && severity == other.severity;
  }

  private static List<String> texts(List<Criterion> criteria) {
    return criteria.stream()
        .map(c -> c.text() + "|" + c.forDuration() + "|" + c.consecutive() + "|" + c.minSamples())
        .toList();
  }
}
