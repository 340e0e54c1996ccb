package io.rollguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What daily and weekly reports say about a scripted week (Monday 2026-11-23 to Monday 2026-11-30,
 * Europe/Paris): incidents opened and resolved, a rollout rolled back then promoted, an SLO that
 * burned budget.
 */
class ReportBuilderTest {

  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static long at(String local) {
    return ZonedDateTime.parse(local + "+01:00[Europe/Paris]").toInstant().toEpochMilli();
  }

  private static ReportInputs.IncidentLine incident(
      String id, String rule, String fired, String resolved) {
    return new ReportInputs.IncidentLine(
        id,
        rule,
        "rule",
        "critical",
        Map.of("service", "checkout"),
        at(fired),
        resolved == null ? 0 : at(resolved),
        rule + " held for 5m",
        resolved == null ? null : rule + " no longer holds",
        2,
        "http://rg.test/api/v1/incidents/" + id);
  }

  /** The week, as the server would give it on Monday 2026-11-30 at 09:00. */
  private static ReportInputs week() {
    return new ReportInputs(
        List.of(
            new ReportInputs.SloLine(
                "checkout-availability",
                0.999,
                "30d",
                0.99912,
                0.12,
                "PASS",
                Map.of("1h", 0.4, "5m", 0.0, "1d", 1.3),
                1_248_766,
                1_250_000)),
        List.of(
            incident("a1", "canary-p95", "2026-11-24T14:02:00", "2026-11-24T14:19:30"),
            incident("a2", "canary-p95", "2026-11-27T10:00:00", "2026-11-27T10:05:00"),
            incident("a3", "error-rate", "2026-11-29T22:00:00", "2026-11-30T01:00:00"),
            incident("a4", "disk-full", "2026-11-30T08:30:00", null),
            incident("old", "error-rate", "2026-11-10T10:00:00", "2026-11-10T11:00:00")),
        List.of(
            new RolloutJournal.Entry(
                "checkout", at("2026-11-24T14:00:00"), "stage", "canary", 1, List.of()),
            new RolloutJournal.Entry(
                "checkout",
                at("2026-11-24T14:05:00"),
                "rollback",
                "canary",
                1,
                List.of("p95 > 1.10 * baseline(p95) held for 2m (133.6ms)")),
            new RolloutJournal.Entry(
                "checkout", at("2026-11-29T10:00:00"), "stage", "canary", 2, List.of()),
            new RolloutJournal.Entry(
                "checkout",
                at("2026-11-29T10:30:00"),
                "promote",
                "canary",
                2,
                List.of("all 2 promotion criteria held for 30m at stage canary"))),
        List.of(
            new ReportInputs.RolloutNow(
                "checkout",
                "gradual",
                2,
                "hold",
                List.of("p95 < 200ms: no data"),
                at("2026-11-29T11:00:00"))));
  }

  @Test
  void theWeeklyReportTellsTheWholeWeek() throws Exception {
    ReportBuilder.Report r =
        ReportBuilder.build(
            "weekly-slo",
            "7d",
            at("2026-11-23T09:00:00"),
            at("2026-11-30T09:00:00"),
            PARIS,
            Set.of(),
            week(),
            at("2026-11-30T09:00:01"));
    assertThat(r.title())
        .isEqualTo(
            "Rollguard report weekly-slo: 2026-11-23 09:00 to 2026-11-30 09:00 (Europe/Paris)");
    assertThat(r.markdown())
        .startsWith("# " + r.title() + "\n\n## SLOs\n")
        .contains(
            "- **checkout-availability** PASS: 99.912% over 30d (objective 99.9%), 99.901% over"
                + " the report's 7d (1234 bad of 1250000); budget left 12%; burn rates 5m 0.00,"
                + " 1h 0.40, 1d 1.30")
        .contains("## Incidents: 4 opened, 3 resolved, 1 open")
        .contains(
            "- [a1](http://rg.test/api/v1/incidents/a1) **canary-p95** critical"
                + " {service=checkout}: fired 2026-11-24 14:02, resolved 2026-11-24 14:19 after"
                + " 17m30s — canary-p95 held for 5m")
        .contains(
            "**disk-full** critical {service=checkout}: fired 2026-11-30 08:30, still open after 30m")
        .doesNotContain("[old]") // resolved before the span
        .contains("## Rollouts: 1 promoted, 0 held, 1 rolled back")
        .contains(
            "- 2026-11-24 14:05 **checkout** rolled back at stage canary (attempt 1): p95 > 1.10 \\*"
                + " baseline(p95) held for 2m (133.6ms)") // the reason's * is text, not emphasis
        .contains("- 2026-11-29 10:30 **checkout** promoted from stage canary (attempt 2)")
        .contains("- **checkout**: hold at stage gradual (attempt 2): p95 < 200ms: no data")
        .contains(
            "## Noisiest rules\n\n1. **canary-p95**: 2 incidents, firing 22m30s\n"
                + "2. **error-rate**: 1 incident, firing 3h\n"
                + "3. **disk-full**: 1 incident, firing 30m\n");

    JsonNode j = JSON.readTree(r.json());
    assertThat(j.path("span").asText()).isEqualTo("7d");
    assertThat(j.path("slos").get(0).path("span_attainment").asDouble()).isEqualTo(0.9990128);
    assertThat(j.path("slos").get(0).path("status").asText()).isEqualTo("PASS");
    assertThat(j.path("incidents").path("opened").asInt()).isEqualTo(4);
    assertThat(j.path("incidents").path("items").get(0).path("duration_seconds").asLong())
        .isEqualTo(1_050);
    assertThat(j.path("rollouts").path("rolled_back").asInt()).isEqualTo(1);
    assertThat(j.path("noisy_rules").get(0).path("rule").asText()).isEqualTo("canary-p95");
    assertThat(r.html())
        .contains("<h2>Incidents: 4 opened, 3 resolved, 1 open</h2>")
        .contains(
            "<a href=\"http://rg.test/api/v1/incidents/a1\">a1</a> <strong>canary-p95</strong>")
        .contains("<ol><li><strong>canary-p95</strong>: 2 incidents")
        .contains("p95 &gt; 1.10 * baseline(p95) held for 2m");
  }

  @Test
  void theDailyReportHoldsOnlyItsDayAndItsSections() throws Exception {
    ReportBuilder.Report r =
        ReportBuilder.build(
            "daily",
            "1d",
            at("2026-11-29T09:00:00"),
            at("2026-11-30T09:00:00"),
            PARIS,
            EnumSet.of(ReportBuilder.Section.INCIDENTS, ReportBuilder.Section.ROLLOUTS),
            week(),
            at("2026-11-30T09:00:01"));
    assertThat(r.markdown())
        .doesNotContain("## SLOs")
        .doesNotContain("## Noisiest rules")
        .contains("## Incidents: 2 opened, 1 resolved, 1 open")
        .contains("**error-rate**")
        .doesNotContain("[a1]")
        .contains("## Rollouts: 1 promoted, 0 held, 0 rolled back")
        .doesNotContain("rolled back at stage");
    JsonNode j = JSON.readTree(r.json());
    assertThat(j.has("slos")).isFalse();
    assertThat(j.path("span").asText()).isEqualTo("1d");
  }

  @Test
  void whatTheReportQuotesIsEscapedInHtml() {
    ReportInputs hostile =
        new ReportInputs(
            List.of(),
            List.of(
                new ReportInputs.IncidentLine(
                    "x",
                    "<script>alert(1)</script>",
                    "rule",
                    "critical",
                    Map.of(
                        "service",
                        "\"><img src=x onerror=alert(1)>",
                        "team",
                        "[Re-authenticate](https://evil.example) **now**"),
                    at("2026-11-29T10:00:00"),
                    0,
                    "<b>why</b>",
                    null,
                    0,
                    "http://rg.test/x")),
            List.of(),
            List.of());
    ReportBuilder.Report r =
        ReportBuilder.build(
            "daily",
            "1d",
            at("2026-11-29T09:00:00"),
            at("2026-11-30T09:00:00"),
            PARIS,
            Set.of(),
            hostile,
            at("2026-11-30T09:00:00"));
    assertThat(r.html())
        .doesNotContain("<script>")
        .doesNotContain("<img")
        .doesNotContain("<b>why")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        // a label value makes no link and no bold text; our own link to the incident stays one
        .doesNotContain("href=\"https://evil.example")
        .contains("team=[Re-authenticate](https://evil.example) **now**")
        .contains("<a href=\"http://rg.test/x\">x</a>");
    assertThat(r.markdown())
        .contains("- No SLOs are defined.")
        .contains("## Rollouts: 0 promoted, 0 held, 0 rolled back\n\n- None.\n");
  }
}
