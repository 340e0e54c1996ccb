package io.rollguard.incident;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.AlertText;
import io.rollguard.config.Durations;
import io.rollguard.notify.NotificationText;
import io.rollguard.rules.SliReading;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A Markdown postmortem skeleton for an incident: summary, timeline (breach start, fired, every
 * notification attempt, resolved), impact with the SLI values at firing and at resolve, and the
 * sections people fill in. Stateless.
 */
public final class IncidentReport {

  private IncidentReport() {}

  public static String markdown(Incident i) {
    AlertEvent f = i.firing();
    StringBuilder md = new StringBuilder();
    md.append("# Postmortem: ")
        .append(f.rule())
        .append(' ')
        .append(NotificationText.labels(f.labels()))
        .append("\n\n_Incident `")
        .append(i.id())
        .append("`, severity ")
        .append(f.severity().wireName())
        .append("._\n\n## Summary\n\n");
    String summary = f.annotations().get("summary");
    if (summary != null) {
      md.append(summary).append("\n\n");
    }
    md.append("`")
        .append(f.expr())
        .append("` over ")
        .append(f.window())
        .append(" fired at ")
        .append(time(f.firedAtMillis()))
        .append(" (value ")
        .append(f.valueText())
        .append(", threshold ")
        .append(f.threshold())
        .append(")");
    if (i.open()) {
      md.append(" and is still firing.\n\n");
    } else {
      md.append(" and resolved at ")
          .append(time(i.resolvedAtMillis()))
          .append(", after ")
          .append(duration(i.resolvedAtMillis() - f.firedAtMillis()))
          .append(".\n\n");
    }

    md.append("## Timeline (UTC)\n\n| time | what |\n|---|---|\n");
    row(md, f.startedAtMillis(), "breach started: `" + f.expr() + "` first true");
    row(md, f.firedAtMillis(), "fired: " + f.reason());
    for (Incident.Attempt a : i.attempts()) {
      row(
          md,
          a.atMillis(),
          "notified "
              + a.receiver()
              + " ("
              + a.event()
              + ", attempt "
              + a.attempt()
              + "): "
              + a.outcome()
              + " in "
              + a.latencyMillis()
              + " ms, "
              + a.next());
    }
    if (!i.open()) {
      row(md, i.resolvedAtMillis(), "resolved: " + i.resolution().reason());
    }

    md.append("\n## Impact\n\n");
    md.append("- Alert instance: `")
        .append(f.rule())
        .append("` ")
        .append(NotificationText.labels(f.labels()))
        .append('\n');
    md.append("- Firing for: ")
        .append(i.open() ? "still firing" : duration(i.resolvedAtMillis() - f.firedAtMillis()))
        .append(" (breach started ")
        .append(duration(f.firedAtMillis() - f.startedAtMillis()))
        .append(" before firing)\n");
    readings(md, "At firing", f);
    if (!i.open()) {
      readings(md, "At resolve", i.resolution());
    }
    String runbook = f.annotations().get("runbook");
    if (runbook != null) {
      md.append("- Runbook: ").append(runbook).append('\n');
    }
    md.append("\n## Root cause\n\n_To fill in._\n\n")
        .append("## What went well / what did not\n\n_To fill in._\n\n")
        .append("## Action items\n\n- [ ] _To fill in (owner, due date)_\n");
    return md.toString();
  }

  private static void readings(StringBuilder md, String when, AlertEvent e) {
    md.append("- ")
        .append(when)
        .append(": ")
        .append(e.valueText())
        .append(' ')
        .append(e.threshold());
    for (SliReading r : e.readings()) {
      md.append("\n  - ")
          .append(r.expr())
          .append(" = ")
          .append(AlertText.format(r.type(), r.value()))
          .append(" over ")
          .append(r.samples())
          .append(" samples");
      if (Double.isInfinite(r.relativeError())) {
        md.append(" (not bounded: it falls in the first or last bucket of its histogram)");
      } else if (r.relativeError() > 0) {
        md.append(String.format(Locale.ROOT, " (within ±%.2f%%)", r.relativeError() * 100));
      }
    }
    md.append('\n');
  }

  private static void row(StringBuilder md, long atMillis, String what) {
    md.append("| ")
        .append(time(atMillis))
        .append(" | ")
        .append(what.replace("|", "\\|"))
        .append(" |\n");
  }

  private static String time(long millis) {
    return millis == 0 ? "—" : Instant.ofEpochMilli(millis).toString();
  }

  private static String duration(long millis) {
    return Durations.format(Duration.ofMillis(Math.max(0, millis)));
  }
}
