package io.rollguard.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads the {@code reports:} section of {@code rollguard.yaml}: a list of scheduled reports, each
 * with a name (it is part of {@code /api/v1/reports/{name}}), a schedule and time zone, a span, the
 * receivers to send to (types that can show a report: email, slack, webhook, console) and the
 * sections to include. Stateless.
 */
final class ReportSettings {

  static final Set<String> SECTIONS = Set.of("slos", "incidents", "rollouts", "noisy_rules");

  private ReportSettings() {}

  static List<RollguardConfig.Report> read(
      Fields top,
      Problems problems,
      UnaryOperator<String> env,
      Map<String, RollguardConfig.Receiver> receivers) {
    List<RollguardConfig.Report> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode item : top.list("reports")) {
      Fields r = Fields.of(item, "a report", problems, env);
      String name = r.requiredString("name");
      String what = "report '" + name + "'";
      if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
        problems.add(
            r.node("name").position(),
            "report name '" + name + "' must be letters, digits, '_', '-' or '.' (it is in a URL)");
      } else if (name != null && !names.add(name)) {
        problems.add(r.node("name").position(), "two reports are named '" + name + "'");
      }
      String zoneText = r.string("time_zone", "UTC");
      ZoneId zone = ZoneId.of("UTC");
      try {
        zone = ZoneId.of(zoneText);
      } catch (DateTimeException e) {
        problems.add(
            r.node("time_zone").position(),
            what + ": unknown time_zone '" + zoneText + "' (an IANA name such as Europe/Paris)");
      }
      String scheduleText = r.requiredString("schedule");
      Schedule schedule = null;
      if (scheduleText != null) {
        try {
          schedule = Schedule.parse(scheduleText, zone);
        } catch (IllegalArgumentException e) {
          problems.add(r.node("schedule").position(), what + ": " + e.getMessage());
        }
      }
      Duration span =
          r.duration(
              "span",
              schedule == null ? Duration.ofDays(1) : schedule.defaultSpan(),
              Duration.ofMinutes(1),
              Duration.ofDays(400));
      List<String> to = r.strings("receivers");
      if (to.isEmpty()) {
        problems.add(r.position(), what + ": needs 'receivers' (one name or a list)");
      }
      for (String receiver : to) {
        RollguardConfig.Receiver rc = receivers.get(receiver);
        if (rc == null) {
          problems.add(
              r.node("receivers").position(), what + ": unknown receiver '" + receiver + "'");
        } else if (rc.type() != null && !rc.takesReports()) {
          problems.add(
              r.node("receivers").position(),
              what
                  + ": receiver '"
                  + receiver
                  + "' cannot take a report ("
                  + (rc.rollback()
                      ? "a rollback receiver"
                      : rc.type().equals("pagerduty")
                          ? "PagerDuty pages; send reports to email, slack or a webhook"
                          : "format alertmanager has no place for one")
                  + ")");
        } else if (rc.type() != null) {
          // a report given up on passes down the fallbacks: each must be able to show it
          Set<String> seen = new HashSet<>();
          for (RollguardConfig.Receiver f = receivers.get(rc.fallback());
              f != null && f.type() != null && seen.add(f.name());
              f = receivers.get(f.fallback())) {
            if (!f.takesReports()) {
              problems.add(
                  r.node("receivers").position(),
                  what
                      + ": receiver '"
                      + receiver
                      + "' falls back to '"
                      + f.name()
                      + "', which cannot take a report; give the report a receiver whose"
                      + " fallbacks can");
              break;
            }
          }
        }
      }
      List<String> include = r.strings("include");
      for (String section : include) {
        if (!SECTIONS.contains(section)) {
          problems.add(
              r.node("include").position(),
              what
                  + ": unknown section '"
                  + section
                  + "' (expected: incidents, noisy_rules, rollouts, slos)");
        }
      }
      r.finish();
      if (name != null && schedule != null) {
        out.add(new RollguardConfig.Report(name, schedule, span, to, include));
      }
    }
    return List.copyOf(out);
  }
}
