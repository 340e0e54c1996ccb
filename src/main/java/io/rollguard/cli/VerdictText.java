package io.rollguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollguard.config.Fields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout verdict (the API's JSON) for people at a terminal: the verdict and the stage, the
 * reasons, and one line per criterion with whether it holds and its value. {@link #facts} names
 * what a {@code rollout wait} reports when it changes (verdict, stage, each criterion's state, not
 * values that move at every evaluation). Stateless.
 */
final class VerdictText {

  private VerdictText() {}

  static List<String> status(JsonNode v) {
    List<String> lines = new ArrayList<>();
    JsonNode stage = v.path("stage");
    lines.add(
        v.path("rollout").asText()
            + ": "
            + v.path("verdict").asText().toUpperCase(java.util.Locale.ROOT)
            + " at stage "
            + stage.path("name").asText()
            + " ("
            + Fields.percent(stage.path("traffic").asDouble())
            + " traffic, attempt "
            + v.path("attempt").asInt(1)
            + (stage.path("set_by_deployer").asBoolean() ? ", set by the deployer" : "")
            + ")"
            + (v.path("next_stage").isTextual()
                ? "; next stage " + v.path("next_stage").asText()
                : "; last stage"));
    for (JsonNode r : v.path("reasons")) {
      lines.add("  " + r.asText());
    }
    criteria(v, "promote_when", "promote", lines);
    criteria(v, "rollback_when", "rollback", lines);
    if (v.path("incident_id").isTextual()) {
      lines.add("  incident " + v.path("incident_id").asText());
    }
    if (v.path("evaluated_at").asLong() > 0) {
      lines.add("  evaluated at " + Instant.ofEpochMilli(v.path("evaluated_at").asLong()));
    }
    return lines;
  }

  /** What a watcher reports on change: key to its state now, in the order of the verdict. */
  static Map<String, String> facts(JsonNode v) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("verdict", v.path("verdict").asText());
    facts.put("stage", v.path("stage").path("name").asText());
    for (String list : new String[] {"promote_when", "rollback_when"}) {
      String kind = list.startsWith("promote") ? "promote" : "rollback";
      for (JsonNode c : v.path(list)) {
        facts.put(kind + " " + c.path("expr").asText(), state(kind, c));
      }
    }
    return facts;
  }

  /** The line a watcher prints for a fact that changed (or appeared). */
  static String change(JsonNode v, String key, String before, String now) {
    String from = before == null ? "" : before + " -> ";
    if (key.equals("verdict") || key.equals("stage")) {
      return key + " " + from + now;
    }
    for (String list : new String[] {"promote_when", "rollback_when"}) {
      for (JsonNode c : v.path(list)) {
        String kind = list.startsWith("promote") ? "promote" : "rollback";
        if (key.equals(kind + " " + c.path("expr").asText())) {
          return key + ": " + from + now + value(c);
        }
      }
    }
    return key + ": " + from + now;
  }

  private static void criteria(JsonNode v, String list, String kind, List<String> lines) {
    if (v.path(list).isEmpty()) {
      return;
    }
    lines.add("  " + list + ":");
    for (JsonNode c : v.path(list)) {
      lines.add(
          String.format(
              java.util.Locale.ROOT,
              "    %-9s %s%s",
              "[" + state(kind, c) + "]",
              c.path("expr").asText(),
              value(c)));
    }
  }

  /** holds / fails / no data; rollback criteria say their alert state (pending, firing). */
  private static String state(String kind, JsonNode c) {
    String truth =
        c.path("no_data").asBoolean() || c.path("holds").isNull()
            ? "no data"
            : c.path("holds").asBoolean() ? "holds" : "fails";
    if (kind.equals("rollback") && c.path("state").isTextual()) {
      String st = c.path("state").asText();
      return st.equals("inactive") ? truth : st;
    }
    return truth;
  }

  private static String value(JsonNode c) {
    String text = c.path("value_text").asText("");
    JsonNode judge = c.path("judge");
    String judged = "";
    if (judge.isObject()) {
      judged =
          ", evidence "
              + round(judge.path("evidence").asDouble())
              + " of "
              + round(judge.path("evidence_needed").asDouble())
              + (judge.path("requests_needed").isNumber()
                  ? ", ~" + judge.path("requests_needed").asLong() + " canary requests to go"
                  : "");
    }
    return text.isEmpty() && judged.isEmpty()
        ? ""
        : "  (" + (text.isEmpty() ? "-" : text) + judged + ")";
  }

  private static String round(double d) {
    return String.format(java.util.Locale.ROOT, "%.3g", d);
  }
}
