package io.rollguard.ruletest;

import io.rollguard.config.Durations;
import io.rollguard.config.Fields;
import io.rollguard.config.Problems;
import io.rollguard.config.YamlNode;
import io.rollguard.config.YamlReader;
import io.rollguard.window.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads rule test files, collecting every problem with its {@code file:line:column}. Paths in the
 * file are relative to its directory. Stateless.
 */
public final class RuleTestReader {

  private static final Duration MAX_SPAN = Duration.ofDays(31);

  private RuleTestReader() {}

  /** The test in {@code text}, or null (with problems) when it cannot be read. */
  public static RuleTest read(Path file, String text, Problems problems) {
    int before = problems.size();
    YamlNode root = YamlReader.read(file.toString(), text, problems);
    if (root == null) {
      return null;
    }
    Path dir = file.toAbsolutePath().getParent();
    Fields f = Fields.of(root, "a rule test file", problems, null);
    List<Path> ruleFiles = new ArrayList<>();
    for (String r : f.strings("rule_files")) {
      ruleFiles.add(dir.resolve(r).normalize());
    }
    if (ruleFiles.isEmpty()) {
      problems.add(f.position(), "'rule_files' must name the rule files (or directories) to test");
    }
    String config = f.string("config", null);
    Duration interval =
        f.duration(
            "evaluation_interval",
            Duration.ofSeconds(1),
            Duration.ofMillis(100),
            Duration.ofHours(1));
    List<RuleTest.Case> cases = new ArrayList<>();
    for (YamlNode item : f.list("tests")) {
      RuleTest.Case c = readCase(item, problems);
      if (c != null) {
        cases.add(c);
      }
    }
    if (f.list("tests").isEmpty()) {
      problems.add(f.position(), "'tests' must hold at least one test");
    }
    f.finish();
    if (problems.size() > before) {
      return null;
    }
    return new RuleTest(
        file.toString(),
        List.copyOf(ruleFiles),
        config == null ? null : dir.resolve(config).normalize(),
        interval,
        List.copyOf(cases));
  }

  private static RuleTest.Case readCase(YamlNode node, Problems problems) {
    Fields f = Fields.of(node, "a test", problems, null);
    String name = f.requiredString("name");
    Duration interval =
        f.duration("interval", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofHours(1));
    List<RuleTest.Input> inputs = new ArrayList<>();
    for (YamlNode item : f.list("series")) {
      RuleTest.Input in = readInput(item, problems);
      if (in != null) {
        inputs.add(in);
      }
    }
    List<RuleTest.StageChange> stages = new ArrayList<>();
    for (YamlNode item : f.list("stages")) {
      Fields s = Fields.of(item, "a stage change", problems, null);
      Duration at = s.duration("at", Duration.ZERO, Duration.ZERO, MAX_SPAN);
      String rollout = s.requiredString("rollout");
      String stage = s.requiredString("stage");
      s.finish();
      if (rollout != null && stage != null) {
        stages.add(new RuleTest.StageChange(at.toMillis(), rollout, stage));
      }
    }
    List<RuleTest.Expectation> expectations = new ArrayList<>();
    for (YamlNode item : f.list("expect")) {
      expectations.add(readExpectation(item, problems));
    }
    if (expectations.isEmpty()) {
      problems.add(f.position(), "a test needs at least one entry under 'expect'");
    }
    f.finish();
    return name == null
        ? null
        : new RuleTest.Case(
            name,
            f.position(),
            interval,
            List.copyOf(inputs),
            List.copyOf(stages),
            List.copyOf(expectations));
  }

  private static RuleTest.Input readInput(YamlNode node, Problems problems) {
    Fields f = Fields.of(node, "a series", problems, null);
    Labels labels = Labels.of(f.stringMap("labels"));
    if (labels.get("service") == null) {
      problems.add(f.position(), "a series needs labels with a 'service'");
    }
    RuleTest.Input input = null;
    if (f.has("gauge")) {
      String name = f.string("gauge", null);
      double[] values = notation(f, "values", problems);
      input = values == null ? null : new RuleTest.Gauge(labels, name, values);
    } else if (f.has("check")) {
      String name = f.string("check", null);
      double[] results = notation(f, "results", problems);
      input = results == null ? null : new RuleTest.Check(labels, name, results);
    } else {
      int perStep = (int) f.integer("requests", 10, 1, 100_000);
      double[] latency = notation(f, "latency", problems);
      double[] errors = f.has("errors") ? notation(f, "errors", problems) : null;
      double spread = f.ratio("spread", 0, 0, 10);
      if (latency != null) {
        if (errors == null) {
          errors = new double[latency.length];
        }
        input = new RuleTest.Requests(labels, perStep, latency, errors, spread);
      }
    }
    f.finish();
    return input;
  }

  private static double[] notation(Fields f, String key, Problems problems) {
    String text = f.string(key, null);
    if (text == null) {
      problems.add(f.position(), "missing required key '" + key + "'");
      return null;
    }
    try {
      return Notation.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(f.node(key).position(), "'" + key + "': " + e.getMessage());
      return null;
    }
  }

  private static RuleTest.Expectation readExpectation(YamlNode node, Problems problems) {
    Fields f = Fields.of(node, "an expectation", problems, null);
    if (!f.has("at")) {
      problems.add(f.position(), "missing required key 'at' (a time after the start, such as 5m)");
    }
    Duration at = f.duration("at", Duration.ZERO, Duration.ZERO, MAX_SPAN);
    List<RuleTest.AlertExpectation> alerts = new ArrayList<>();
    for (YamlNode item : f.list("alerts")) {
      Fields a = Fields.of(item, "an alert expectation", problems, null);
      String rule = a.requiredString("rule");
      Map<String, String> labels = a.has("labels") ? a.stringMap("labels") : null;
      String state = a.string("state", "firing");
      if (!List.of("inactive", "pending", "firing").contains(state)) {
        problems.add(a.node("state").position(), "'state' must be inactive, pending or firing");
      }
      a.finish();
      if (rule != null) {
        alerts.add(new RuleTest.AlertExpectation(rule, labels, state));
      }
    }
    Map<String, Map<String, String>> rollouts = namedChecks(f, "rollouts", "verdict", problems);
    Map<String, Map<String, String>> slos = namedChecks(f, "slos", "status", problems);
    List<RuleTest.NotificationExpectation> notifications = null;
    if (f.has("notifications")) {
      notifications = new ArrayList<>();
      for (YamlNode item : f.list("notifications")) {
        Fields n = Fields.of(item, "a notification expectation", problems, null);
        String receiver = n.requiredString("receiver");
        String event = n.string("event", "firing");
        Map<String, String> payload = n.stringMap("payload");
        n.finish();
        notifications.add(new RuleTest.NotificationExpectation(receiver, event, payload));
      }
    }
    f.finish();
    return new RuleTest.Expectation(
        at.toMillis(), f.position(), List.copyOf(alerts), rollouts, slos, notifications);
  }

  /**
   * {@code name: value} (the value of {@code shortKey}) or {@code name: {key: value, ...}}, for
   * rollouts ({@code verdict}, {@code stage}) and SLOs ({@code status}, tier names).
   */
  private static Map<String, Map<String, String>> namedChecks(
      Fields f, String key, String shortKey, Problems problems) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    YamlNode node = f.node(key);
    if (node == null) {
      return out;
    }
    Fields named = Fields.of(node, "'" + key + "'", problems, null);
    for (var e : named.entries().entrySet()) {
      YamlNode value = e.getValue().value();
      if (value instanceof YamlNode.Scalar s) {
        out.put(e.getKey(), Map.of(shortKey, s.text()));
      } else {
        Fields checks = Fields.of(value, "'" + key + "." + e.getKey() + "'", problems, null);
        Map<String, String> m = new LinkedHashMap<>();
        for (var c : checks.entries().entrySet()) {
          if (c.getValue().value() instanceof YamlNode.Scalar cs) {
            m.put(c.getKey(), cs.text());
          } else {
            problems.add(c.getValue().value().position(), "expected a value");
          }
        }
        out.put(e.getKey(), m);
      }
    }
    return out;
  }

  /** For messages: {@code 5m10s}. */
  static String at(long millis) {
    return Durations.format(Duration.ofMillis(millis));
  }
}
