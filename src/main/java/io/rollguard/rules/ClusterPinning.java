package io.rollguard.rules;

import io.rollguard.config.Position;
import io.rollguard.config.Problems;
import io.rollguard.window.Selector;
import java.util.Map;

/**
 * The load check of cluster mode (docs/cluster.md): every rule, rollout and SLO must select one
 * value of the key label with an exact matcher, so that all the series it can merge are on one
 * partition and one node evaluates it. A rollout's baseline may not move to another key. Stateless.
 */
public final class ClusterPinning {

  private ClusterPinning() {}

  /**
   * Adds a problem, at the definition, for each one not pinned to one value of {@code keyLabel}.
   */
  public static void check(RuleLoader.Result loaded, String keyLabel, Problems problems) {
    for (Rule r : loaded.rules()) {
      if (pinned("rule", r.name(), r.selectSpec(), keyLabel, r.position(), problems)) {
        sameKey(
            "rule", r.name(), r.selectSpec(), r.baselineSpec(), keyLabel, r.position(), problems);
      }
    }
    for (Rollout r : loaded.rollouts()) {
      if (pinned("rollout", r.name(), r.selectSpec(), keyLabel, r.position(), problems)) {
        sameKey(
            "rollout",
            r.name(),
            r.selectSpec(),
            r.baselineSpec(),
            keyLabel,
            r.position(),
            problems);
      }
    }
    for (Slo s : loaded.slos()) {
      pinned("SLO", s.name(), s.selectSpec(), keyLabel, s.position(), problems);
    }
  }

  /** A baseline laid over the selection may not name another value of the key label. */
  private static void sameKey(
      String what,
      String name,
      Map<String, String> select,
      Map<String, String> baseline,
      String keyLabel,
      Position at,
      Problems problems) {
    if (baseline != null
        && baseline.containsKey(keyLabel)
        && !baseline.get(keyLabel).equals(select.get(keyLabel))) {
      problems.add(
          at,
          "in cluster mode a baseline must be in the same "
              + keyLabel
              + " as what it is compared with (one node sees both); "
              + what
              + " '"
              + name
              + "' compares "
              + keyLabel
              + "="
              + select.get(keyLabel)
              + " with "
              + keyLabel
              + "="
              + baseline.get(keyLabel));
    }
  }

  private static boolean pinned(
      String what,
      String name,
      Map<String, String> spec,
      String keyLabel,
      Position at,
      Problems problems) {
    if (Selector.exactValues(spec).containsKey(keyLabel)) {
      return true;
    }
    String selects =
        spec.containsKey(keyLabel)
            ? "selects " + keyLabel + ": '" + spec.get(keyLabel) + "'"
            : "selects every " + keyLabel;
    problems.add(
        at,
        "in cluster mode a "
            + what
            + " must select one "
            + keyLabel
            + " (select: {"
            + keyLabel
            + ": ...}) so that one node sees all its series; "
            + what
            + " '"
            + name
            + "' "
            + selects
            + ". Write one per "
            + keyLabel
            + ".");
    return false;
  }
}
