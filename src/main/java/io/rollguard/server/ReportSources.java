package io.rollguard.server;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.Durations;
import io.rollguard.incident.Incident;
import io.rollguard.incident.IncidentLog;
import io.rollguard.notify.Links;
import io.rollguard.report.ReportInputs;
import io.rollguard.report.RolloutJournal;
import io.rollguard.rollout.Verdict;
import io.rollguard.slo.SloEngine;
import io.rollguard.window.SloCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a report is made from, read from the running server: the SLOs' last evaluation and their
 * counts over the span, the incident log, the rollout journal and the verdicts now. Stateless;
 * reads only thread-safe views, so any worker may call it.
 */
final class ReportSources {

  private ReportSources() {}

  /** The inputs as of {@code now}; SLO counts over the longest span a report of them asks for. */
  static ReportInputs read(
      RulesService rules,
      IncidentLog incidents,
      RolloutJournal journal,
      Links links,
      long now,
      long spanMillis) {
    List<ReportInputs.SloLine> slos = new ArrayList<>();
    for (SloEngine.SloStatus s : rules.slos().slos()) {
      Map<String, Double> burns = new LinkedHashMap<>();
      s.burns().forEach(b -> burns.put(Durations.format(b.window()), b.rate()));
      SloCounts.Totals span =
          rules.sloSpanTotals(
              s.slo().name(), now, Math.min(spanMillis, s.slo().period().toMillis()));
      slos.add(
          new ReportInputs.SloLine(
              s.slo().name(),
              s.slo().objective(),
              Durations.format(s.slo().period()),
              s.attainment(),
              s.budgetRemaining(),
              s.compliance().name(),
              burns,
              span == null ? 0 : span.good(),
              span == null ? 0 : span.total()));
    }
    List<ReportInputs.IncidentLine> lines = new ArrayList<>();
    for (Incident i : incidents.list()) {
      AlertEvent f = i.firing();
      lines.add(
          new ReportInputs.IncidentLine(
              i.id(),
              f.rule(),
              f.source().name().toLowerCase(Locale.ROOT),
              f.severity().wireName(),
              f.labels(),
              f.firedAtMillis(),
              i.open() ? 0 : i.resolvedAtMillis(),
              f.reason(),
              i.open() ? null : i.resolution().reason(),
              i.attempts().size(),
              links.incident(i.id())));
    }
    List<ReportInputs.RolloutNow> rollouts = new ArrayList<>();
    for (Verdict v : rules.verdicts().values()) {
      rollouts.add(
          new ReportInputs.RolloutNow(
              v.rollout().name(),
              v.stage(),
              v.attempt(),
              v.decision().wireName(),
              v.reasons(),
              v.sinceMillis()));
    }
    return new ReportInputs(
        slos, lines, journal.between(now - spanMillis, Long.MAX_VALUE), rollouts);
  }
}
