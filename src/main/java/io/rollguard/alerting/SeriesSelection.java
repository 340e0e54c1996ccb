package io.rollguard.alerting;

import io.rollguard.window.CheckWindow;
import io.rollguard.window.GaugeWindow;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.Selector;
import io.rollguard.window.SeriesRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The series a selector picks, grouped by {@code by} labels, and those a baseline selector picks;
 * recomputed only when the registry's set of series changed (its {@link SeriesRegistry#version()}),
 * so an evaluation costs no scan of the registry.
 *
 * <p>Not thread-safe: owned by the thread that evaluates (rules, rollouts).
 */
public final class SeriesSelection {

  private final Selector select;
  private final List<String> by;
  private final Selector baseline;
  private long version = -1;
  private Map<Labels, SeriesGroup> groups = Map.of();
  private SeriesGroup baselineGroup = new SeriesGroup();

  /** {@code baseline} may be null (no baseline); {@code by} empty means one group in all. */
  public SeriesSelection(Selector select, List<String> by, Selector baseline) {
    this.select = select;
    this.by = List.copyOf(by);
    this.baseline = baseline;
  }

  /** The selected series grouped by their {@code by} labels. */
  public Map<Labels, SeriesGroup> groups(SeriesRegistry registry) {
    refresh(registry);
    return groups;
  }

  /** Every selected series as one group (for selections without {@code by}). */
  public SeriesGroup all(SeriesRegistry registry) {
    refresh(registry);
    return groups.getOrDefault(Labels.EMPTY, new SeriesGroup());
  }

  /** The series the baseline selector picks (empty without one). */
  public SeriesGroup baselineGroup(SeriesRegistry registry) {
    refresh(registry);
    return baselineGroup;
  }

  private void refresh(SeriesRegistry registry) {
    long current = registry.version();
    if (current == version) {
      return;
    }
    Map<Labels, SeriesGroup> fresh = new LinkedHashMap<>();
    SeriesGroup base = new SeriesGroup();
    for (RequestWindow w : registry.requestWindows()) {
      if (select.matches(w.labels())) {
        fresh.computeIfAbsent(w.labels().project(by), k -> new SeriesGroup()).requests.add(w);
      }
      if (baseline != null && baseline.matches(w.labels())) {
        base.requests.add(w);
      }
    }
    for (GaugeWindow w : registry.gaugeWindows()) {
      if (select.matches(w.labels())) {
        fresh.computeIfAbsent(w.labels().project(by), k -> new SeriesGroup()).gauges.add(w);
      }
      if (baseline != null && baseline.matches(w.labels())) {
        base.gauges.add(w);
      }
    }
    for (CheckWindow w : registry.checkWindows()) {
      if (select.matches(w.labels())) {
        fresh.computeIfAbsent(w.labels().project(by), k -> new SeriesGroup()).checks.add(w);
      }
      if (baseline != null && baseline.matches(w.labels())) {
        base.checks.add(w);
      }
    }
    groups = fresh;
    baselineGroup = base;
    version = current;
  }
}
