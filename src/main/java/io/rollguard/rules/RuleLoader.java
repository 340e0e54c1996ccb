package io.rollguard.rules;

import io.rollguard.config.Fields;
import io.rollguard.config.Position;
import io.rollguard.config.Problems;
import io.rollguard.config.YamlNode;
import io.rollguard.config.YamlReader;
import io.rollguard.window.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads rule files (SPEC 3): every problem in every file is collected with its {@code
 * file:line:column} (unknown keys, bad durations, expression and type errors at their column in the
 * file, duplicate names across files, receivers that do not exist). Stateless; files are given as
 * text, so reading them from disk is the caller's business.
 */
public final class RuleLoader {

  /** A rule file's name and content. */
  public record Source(String file, String text) {}

  /** What a set of files holds: the rules, and every problem found (empty when valid). */
  public record Result(List<Rule> rules, Problems problems, List<String> warnings) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private static final Duration MAX_FOR = Duration.ofDays(1);

  private RuleLoader() {}

  /**
   * Loads {@code sources} together (names must be unique across them).
   *
   * @param maxWindow the longest window a rule may ask for ({@code limits.max_window})
   * @param receivers known receiver names, or null to skip that check (no config given)
   */
  public static Result load(List<Source> sources, Duration maxWindow, Set<String> receivers) {
    Problems problems = new Problems();
    List<String> warnings = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    Map<String, Position> names = new LinkedHashMap<>();
    for (Source source : sources) {
      YamlNode root = YamlReader.read(source.file(), source.text(), problems);
      if (root == null) {
        continue;
      }
      Fields top = Fields.of(root, "a rule file", problems, null);
      for (YamlNode item : top.list("rules")) {
        Rule rule = readRule(item, source, maxWindow, receivers, names, problems);
        if (rule != null) {
          rules.add(rule);
        }
      }
      for (String later : List.of("rollouts", "slos")) {
        if (top.node(later) != null) {
          warnings.add(
              source.file() + ": '" + later + "' is not evaluated by this version yet; skipped");
        }
      }
      top.finish();
    }
    return new Result(List.copyOf(rules), problems, List.copyOf(warnings));
  }

  private static Rule readRule(
      YamlNode node,
      Source source,
      Duration maxWindow,
      Set<String> receivers,
      Map<String, Position> names,
      Problems problems) {
    Fields f = Fields.of(node, "a rule", problems, null);
    int before = problems.size();
    String name = f.requiredString("name");
    if (name != null) {
      Position first = names.putIfAbsent(name, f.position());
      if (first != null) {
        problems.add(
            f.position(), "duplicate rule name '" + name + "' (first defined at " + first + ")");
      }
    }
    String description = f.string("description", "");
    Map<String, String> selectSpec = f.stringMap("select");
    Selector select = selector(f, "select", selectSpec, problems);
    List<String> by = f.strings("by");
    Duration window = f.duration("window", Duration.ofMinutes(1), Duration.ofSeconds(1), maxWindow);
    Expr when = null;
    String whenText = f.requiredString("when");
    if (whenText != null) {
      try {
        when = ExprParser.parseCondition(whenText);
      } catch (ExprException e) {
        problems.add(expressionPosition(f.node("when"), source.text(), e.column()), e.getMessage());
      }
    }
    Duration forDuration = f.duration("for", Duration.ZERO, Duration.ZERO, MAX_FOR);
    int consecutive = (int) f.integer("consecutive", 1, 1, 10_000);
    Duration every = f.duration("every", null, Duration.ofMillis(100), Duration.ofHours(1));
    long minSamples = f.integer("min_samples", 1, 1, Long.MAX_VALUE);
    Duration keepFiringFor = f.duration("keep_firing_for", Duration.ZERO, Duration.ZERO, MAX_FOR);
    Severity severity = severity(f, problems);
    List<String> notify = f.strings("notify");
    if (receivers != null) {
      for (String receiver : notify) {
        if (!receivers.contains(receiver)) {
          problems.add(
              f.node("notify").position(),
              "unknown receiver '"
                  + receiver
                  + "'"
                  + (receivers.isEmpty()
                      ? " (no receivers are configured)"
                      : " (configured: " + String.join(", ", receivers) + ")"));
        }
      }
    }
    Map<String, String> labels = f.stringMap("labels");
    Map<String, String> annotations = f.stringMap("annotations");
    boolean hasBaseline = f.has("baseline");
    Map<String, String> baselineOverrides = f.stringMap("baseline");
    Map<String, String> baselineSpec = null;
    Selector baseline = null;
    if (hasBaseline) {
      // The baseline shares the rule's selector except where it says otherwise.
      baselineSpec = new LinkedHashMap<>(selectSpec);
      baselineSpec.putAll(baselineOverrides);
      baseline = selector(f, "baseline", baselineSpec, problems);
    }
    if (when != null && baseline == null && TypeChecker.containsBaseline(when)) {
      problems.add(
          f.node("when").position(), "baseline(...) needs the rule's 'baseline:' selector");
    }
    f.finish();
    if (problems.size() > before || name == null || when == null) {
      return null;
    }
    return new Rule(
        name,
        description,
        select,
        Map.copyOf(selectSpec),
        List.copyOf(by),
        window,
        when,
        whenText,
        forDuration,
        consecutive,
        every,
        minSamples,
        keepFiringFor,
        severity,
        List.copyOf(notify),
        Map.copyOf(labels),
        Map.copyOf(annotations),
        baseline,
        baselineSpec == null ? null : Map.copyOf(baselineSpec),
        f.position());
  }

  private static Selector selector(
      Fields f, String key, Map<String, String> spec, Problems problems) {
    try {
      return Selector.parse(spec);
    } catch (IllegalArgumentException e) {
      problems.add(f.node(key).position(), e.getMessage());
      return Selector.ALL;
    }
  }

  private static Severity severity(Fields f, Problems problems) {
    String text = f.string("severity", "warning");
    try {
      return Severity.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(
          f.node("severity").position(),
          "severity must be critical, warning or info, got '" + text + "'");
      return Severity.WARNING;
    }
  }

  /**
   * Where column {@code column} of an expression stands in its file: the scalar's position, moved
   * past an opening quote. Expressions are one line; a folded multi-line one points at its start.
   */
  static Position expressionPosition(YamlNode scalar, String fileText, int column) {
    Position at = scalar.position();
    String[] lines = fileText.split("\n", -1);
    int offset = 0;
    if (at.line() <= lines.length) {
      String line = lines[at.line() - 1];
      int index = at.column() - 1;
      if (index < line.length() && (line.charAt(index) == '"' || line.charAt(index) == '\'')) {
        offset = 1;
      } else if (index < line.length()
          && (line.charAt(index) == '>' || line.charAt(index) == '|')) {
        return at;
      }
    }
    return new Position(at.file(), at.line(), at.column() + offset + column - 1);
  }
}
