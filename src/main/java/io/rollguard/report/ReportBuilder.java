package io.rollguard.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Makes a report of the span {@code [from, to)}: per SLO its attainment over its period and over
 * the span, budget left, burn rates and PASS/FAIL; the incidents opened, resolved or still open in
 * the span, with durations and links; what rollouts did (stages set, promoted, held, rolled back,
 * with reasons) and where they stand; the noisiest rules (most incidents, then most time firing).
 * The same report as Markdown (lists, no tables, so chat clients show it), HTML and JSON.
 * Stateless.
 */
public final class ReportBuilder {

  /** What a report can hold. */
  public enum Section {
    SLOS,
    INCIDENTS,
    ROLLOUTS,
    NOISY_RULES;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A rendered report. */
  public record Report(String title, String markdown, String html, String json) {}

  static final int NOISY_RULES = 5;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReportBuilder() {}

  /**
   * @param span the span as configured or asked for ({@code 1d}): a day across a DST change is
   *     still {@code 1d}, though {@code to - from} is 23 or 25 hours
   */
  public static Report build(
      String name,
      String span,
      long from,
      long to,
      ZoneId zone,
      Set<Section> include,
      ReportInputs in,
      long generatedAt) {
    DateTimeFormatter when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(zone);
    String title =
        "Rollguard report "
            + name
            + ": "
            + when.format(Instant.ofEpochMilli(from))
            + " to "
            + when.format(Instant.ofEpochMilli(to))
            + " ("
            + zone.getId()
            + ")";
    Doc doc = new Doc();
    ObjectNode json =
        MAPPER
            .createObjectNode()
            .put("name", name)
            .put("title", title)
            .put("span", span)
            .put("from", Instant.ofEpochMilli(from).toString())
            .put("to", Instant.ofEpochMilli(to).toString())
            .put("time_zone", zone.getId())
            .put("generated_at", Instant.ofEpochMilli(generatedAt).toString());
    doc.heading(1, title);
    Set<Section> sections = include.isEmpty() ? EnumSet.allOf(Section.class) : include;
    List<ReportInputs.IncidentLine> inSpan =
        in.incidents().stream()
            .filter(
                i ->
                    i.firedAtMillis() < to
                        && (i.resolvedAtMillis() == 0 || i.resolvedAtMillis() >= from))
            .sorted(Comparator.comparingLong(ReportInputs.IncidentLine::firedAtMillis))
            .toList();
    if (sections.contains(Section.SLOS)) {
      slos(doc, json, in.slos(), span);
    }
    if (sections.contains(Section.INCIDENTS)) {
      incidents(doc, json, inSpan, from, to, when);
    }
    if (sections.contains(Section.ROLLOUTS)) {
      rollouts(doc, json, in, from, to, when);
    }
    if (sections.contains(Section.NOISY_RULES)) {
      noisy(doc, json, inSpan, from, to);
    }
    try {
      return new Report(title, doc.markdown(), doc.html(title), MAPPER.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void slos(Doc doc, ObjectNode json, List<ReportInputs.SloLine> slos, String span) {
    doc.heading(2, "SLOs");
    ArrayNode out = json.putArray("slos");
    if (slos.isEmpty()) {
      doc.item("No SLOs are defined.");
    }
    for (ReportInputs.SloLine s : slos) {
      double spanAttainment =
          s.spanTotal() == 0 ? Double.NaN : (double) s.spanGood() / s.spanTotal();
      String burns =
          s.burnRates().entrySet().stream()
              .sorted(Comparator.comparing(e -> Durations.parse(e.getKey())))
              .map(e -> e.getKey() + " " + number(e.getValue()))
              .collect(Collectors.joining(", "));
      doc.item(
          "**"
              + md(s.name())
              + "** "
              + s.compliance()
              + ": "
              + percent(s.attainment())
              + " over "
              + s.period()
              + " (objective "
              + percent(s.objective())
              + "), "
              + percent(spanAttainment)
              + " over the report's "
              + span
              + " ("
              + (s.spanTotal() - s.spanGood())
              + " bad of "
              + s.spanTotal()
              + "); budget left "
              + percent(s.budgetRemaining())
              + (burns.isEmpty() ? "" : "; burn rates " + burns));
      ObjectNode o =
          out.addObject()
              .put("name", s.name())
              .put("status", s.compliance())
              .put("objective", s.objective())
              .put("period", s.period());
      number(o, "attainment", s.attainment());
      number(o, "span_attainment", spanAttainment);
      o.put("span_good_requests", s.spanGood()).put("span_total_requests", s.spanTotal());
      number(o, "error_budget_remaining", s.budgetRemaining());
      ObjectNode b = o.putObject("burn_rates");
      new TreeMap<>(s.burnRates()).forEach((w, r) -> number(b, w, r));
    }
  }

  private static void incidents(
      Doc doc,
      ObjectNode json,
      List<ReportInputs.IncidentLine> inSpan,
      long from,
      long to,
      DateTimeFormatter when) {
    long opened = inSpan.stream().filter(i -> i.firedAtMillis() >= from).count();
    long resolved =
        inSpan.stream()
            .filter(
                i ->
                    i.resolvedAtMillis() >= from
                        && i.resolvedAtMillis() < to
                        && i.resolvedAtMillis() > 0)
            .count();
    long open =
        inSpan.stream()
            .filter(i -> i.resolvedAtMillis() == 0 || i.resolvedAtMillis() >= to)
            .count();
    doc.heading(
        2, "Incidents: " + opened + " opened, " + resolved + " resolved, " + open + " open");
    ObjectNode o = json.putObject("incidents");
    o.put("opened", opened).put("resolved", resolved).put("open", open);
    ArrayNode items = o.putArray("items");
    if (inSpan.isEmpty()) {
      doc.item("None.");
    }
    for (ReportInputs.IncidentLine i : inSpan) {
      boolean stillOpen = i.resolvedAtMillis() == 0 || i.resolvedAtMillis() >= to;
      long end = stillOpen ? to : i.resolvedAtMillis();
      String duration = Durations.format(Duration.ofSeconds((end - i.firedAtMillis()) / 1_000));
      String labels =
          i.labels().isEmpty()
              ? ""
              : " "
                  + new TreeMap<>(i.labels())
                      .entrySet().stream()
                          .map(e -> md(e.getKey()) + "=" + md(e.getValue()))
                          .collect(Collectors.joining(", ", "{", "}"));
      doc.item(
          "["
              + i.id()
              + "]("
              + i.link()
              + ") **"
              + md(i.rule())
              + "** "
              + i.severity()
              + labels
              + ": fired "
              + when.format(Instant.ofEpochMilli(i.firedAtMillis()))
              + (stillOpen
                  ? ", still open after " + duration
                  : ", resolved "
                      + when.format(Instant.ofEpochMilli(i.resolvedAtMillis()))
                      + " after "
                      + duration)
              + " — "
              + md(i.reason()));
      ObjectNode io =
          items
              .addObject()
              .put("id", i.id())
              .put("rule", i.rule())
              .put("source", i.source())
              .put("severity", i.severity())
              .put("fired_at", Instant.ofEpochMilli(i.firedAtMillis()).toString())
              .put(
                  "resolved_at",
                  i.resolvedAtMillis() == 0
                      ? null
                      : Instant.ofEpochMilli(i.resolvedAtMillis()).toString())
              .put("duration_seconds", (end - i.firedAtMillis()) / 1_000)
              .put("open", stillOpen)
              .put("reason", i.reason())
              .put("resolution", i.resolution())
              .put("notifications", i.notifications())
              .put("link", i.link());
      ObjectNode lo = io.putObject("labels");
      new TreeMap<>(i.labels()).forEach(lo::put);
    }
  }

  private static void rollouts(
      Doc doc, ObjectNode json, ReportInputs in, long from, long to, DateTimeFormatter when) {
    List<RolloutJournal.Entry> events =
        in.rolloutEvents().stream().filter(e -> e.atMillis() >= from && e.atMillis() < to).toList();
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String k : List.of("promote", "hold", "rollback")) {
      counts.put(k, events.stream().filter(e -> e.event().equals(k)).count());
    }
    doc.heading(
        2,
        "Rollouts: "
            + counts.get("promote")
            + " promoted, "
            + counts.get("hold")
            + " held, "
            + counts.get("rollback")
            + " rolled back");
    ObjectNode o = json.putObject("rollouts");
    o.put("promoted", counts.get("promote"))
        .put("held", counts.get("hold"))
        .put("rolled_back", counts.get("rollback"));
    ArrayNode ev = o.putArray("events");
    if (events.isEmpty() && in.rollouts().isEmpty()) {
      doc.item("None.");
    }
    for (RolloutJournal.Entry e : events) {
      String what =
          switch (e.event()) {
            case "stage" -> "stage set to " + md(e.stage());
            case "promote" -> "promoted from stage " + md(e.stage());
            case "rollback" -> "rolled back at stage " + md(e.stage());
            default -> "held at stage " + md(e.stage());
          };
      doc.item(
          when.format(Instant.ofEpochMilli(e.atMillis()))
              + " **"
              + md(e.rollout())
              + "** "
              + what
              + " (attempt "
              + e.attempt()
              + ")"
              + (e.reasons().isEmpty() ? "" : ": " + md(String.join("; ", e.reasons()))));
      ObjectNode eo =
          ev.addObject()
              .put("rollout", e.rollout())
              .put("at", Instant.ofEpochMilli(e.atMillis()).toString())
              .put("event", e.event())
              .put("stage", e.stage())
              .put("attempt", e.attempt());
      ArrayNode r = eo.putArray("reasons");
      e.reasons().forEach(r::add);
    }
    ArrayNode now = o.putArray("now");
    if (!in.rollouts().isEmpty()) {
      doc.paragraph("Now:");
    }
    for (ReportInputs.RolloutNow r : in.rollouts()) {
      doc.item(
          "**"
              + md(r.rollout())
              + "**: "
              + r.decision()
              + " at stage "
              + md(r.stage())
              + " (attempt "
              + r.attempt()
              + ")"
              + (r.reasons().isEmpty() ? "" : ": " + md(String.join("; ", r.reasons()))));
      ObjectNode ro =
          now.addObject()
              .put("rollout", r.rollout())
              .put("stage", r.stage())
              .put("attempt", r.attempt())
              .put("verdict", r.decision())
              .put("since", Instant.ofEpochMilli(r.since()).toString());
      ArrayNode reasons = ro.putArray("reasons");
      r.reasons().forEach(reasons::add);
    }
  }

  private static void noisy(
      Doc doc, ObjectNode json, List<ReportInputs.IncidentLine> inSpan, long from, long to) {
    Map<String, long[]> byRule = new LinkedHashMap<>(); // incidents, firing millis within the span
    for (ReportInputs.IncidentLine i : inSpan) {
      long[] c = byRule.computeIfAbsent(i.rule(), r -> new long[2]);
      c[0]++;
      long end =
          i.resolvedAtMillis() == 0 || i.resolvedAtMillis() >= to ? to : i.resolvedAtMillis();
      c[1] += end - Math.max(from, i.firedAtMillis());
    }
    List<Map.Entry<String, long[]>> top = new ArrayList<>(byRule.entrySet());
    top.sort(
        Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
            .thenComparingLong(e -> -e.getValue()[1])
            .thenComparing(Map.Entry::getKey));
    doc.heading(2, "Noisiest rules");
    ArrayNode out = json.putArray("noisy_rules");
    if (top.isEmpty()) {
      doc.item("None fired.");
    }
    int n = 0;
    for (var e : top.subList(0, Math.min(NOISY_RULES, top.size()))) {
      String firing = Durations.format(Duration.ofSeconds(e.getValue()[1] / 1_000));
      doc.numbered(
          ++n,
          "**"
              + md(e.getKey())
              + "**: "
              + e.getValue()[0]
              + (e.getValue()[0] == 1 ? " incident" : " incidents")
              + ", firing "
              + firing);
      out.addObject()
          .put("rule", e.getKey())
          .put("incidents", e.getValue()[0])
          .put("firing_seconds", e.getValue()[1] / 1_000);
    }
  }

  /**
   * Text from the data (names, labels, reasons) as Markdown that means only itself: its
   * backslashes, brackets, stars, underscores and backticks are escaped, so a label value cannot
   * make a link or bold text in the report.
   */
  static String md(String text) {
    return text == null ? "" : text.replaceAll("([\\\\\\[\\]*_`])", "\\\\$1");
  }

  /** {@code **bold**} that {@link #md} did not escape. */
  public static final String BOLD = "(?<!\\\\)\\*\\*((?:[^*\\\\]|\\\\.)+?)(?<!\\\\)\\*\\*";

  /** {@code [text](http...)} that {@link #md} did not escape. */
  public static final String LINK =
      "(?<!\\\\)\\[((?:[^\\]\\\\]|\\\\.)+)(?<!\\\\)]\\((https?://[^)\\s\"\\\\]+)\\)";

  /** Takes away the escapes of {@link #md}. */
  public static String unescape(String text) {
    return text.replaceAll("\\\\([\\\\\\[\\]*_`])", "$1");
  }

  private static void number(ObjectNode o, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(field);
    } else {
      o.put(field, v);
    }
  }

  private static String percent(double ratio) {
    if (Double.isNaN(ratio)) {
      return "no data";
    }
    return String.format(Locale.ROOT, "%.3f%%", ratio * 100).replaceAll("\\.?0+%$", "%");
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "no data" : String.format(Locale.ROOT, "%.2f", v);
  }

  /** The report as Markdown and HTML at once. */
  private static final class Doc {
    private final StringBuilder md = new StringBuilder();
    private final StringBuilder html = new StringBuilder();
    private boolean inList;
    private boolean numbered;

    void heading(int level, String text) {
      endList();
      if (md.length() > 0) {
        md.append('\n');
      }
      md.append("#".repeat(level)).append(' ').append(text).append('\n');
      html.append("<h")
          .append(level)
          .append('>')
          .append(inline(text))
          .append("</h")
          .append(level)
          .append('>');
    }

    void paragraph(String text) {
      endList();
      md.append('\n').append(text).append('\n');
      html.append("<p>").append(inline(text)).append("</p>");
    }

    void item(String text) {
      list(false);
      md.append("- ").append(text).append('\n');
      html.append("<li>").append(inline(text)).append("</li>");
    }

    void numbered(int n, String text) {
      list(true);
      md.append(n).append(". ").append(text).append('\n');
      html.append("<li>").append(inline(text)).append("</li>");
    }

    private void list(boolean ordered) {
      if (inList && numbered == ordered) {
        return;
      }
      endList();
      if (md.charAt(md.length() - 1) == '\n' && !md.toString().endsWith("\n\n")) {
        md.append('\n');
      }
      html.append(ordered ? "<ol>" : "<ul>");
      inList = true;
      numbered = ordered;
    }

    private void endList() {
      if (inList) {
        html.append(numbered ? "</ol>" : "</ul>");
        inList = false;
      }
    }

    String markdown() {
      return md.toString();
    }

    String html(String title) {
      endList();
      return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>"
          + escape(title)
          + "</title></head><body style=\"font-family:sans-serif\">"
          + html
          + "</body></html>";
    }

    /** Our own Markdown (bold and links) as HTML, everything else escaped. */
    private static String inline(String text) {
      String out = escape(text);
      out = out.replaceAll(BOLD, "<strong>$1</strong>");
      return unescape(out.replaceAll(LINK, "<a href=\"$2\">$1</a>"));
    }

    private static String escape(String s) {
      return s.replace("&", "&amp;")
          .replace("<", "&lt;")
          .replace(">", "&gt;")
          .replace("\"", "&quot;")
          .replace("'", "&#39;");
    }
  }
}
