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

  /**
   * A rule file's name and content; a file that could not be read has no text and says why in
   * {@code problem} (reported at {@code file:1:1}).
   */
  public record Source(String file, String text, String problem) {
    public Source(String file, String text) {
      this(file, text, null);
    }

    public static Source unreadable(String file, String problem) {
      return new Source(file, null, problem);
    }
  }

  /**
   * What a set of files holds: the rules, rollouts and SLOs, and every problem found (empty when
   * valid).
   */
  public record Result(
      List<Rule> rules,
      List<Rollout> rollouts,
      List<Slo> slos,
      Problems problems,
      List<String> warnings) {
    public boolean valid() {
      return problems.isEmpty();
    }

    /** How many rules, rollouts and SLOs, for people: "3 rule(s), 1 rollout(s), 1 SLO(s)". */
    public String summary() {
      return rules.size()
          + " rule(s), "
          + rollouts.size()
          + " rollout(s), "
          + slos.size()
          + " SLO(s)";
    }
  }

  /**
   * What readers of one file share: where problems go, which names are taken (unique across rules,
   * rollouts and SLOs of all files), the known receivers and the longest window.
   */
  record Context(
      Source source,
      Duration maxWindow,
      Set<String> knownReceivers,
      Map<String, Position> names,
      Problems problems) {

    /** The required {@code name}, reported when another rule, rollout or SLO took it first. */
    String claimName(Fields f, String what) {
      String name = f.requiredString("name");
      if (name != null) {
        Position first = names.putIfAbsent(name, f.position());
        if (first != null) {
          problems.add(
              f.position(),
              "duplicate name '"
                  + name
                  + "' for "
                  + what
                  + " (also defined at "
                  + first
                  + "; rules, rollouts and SLOs share one namespace)");
        }
      }
      return name;
    }

    /** A list of receiver names under {@code key}, each checked against the configured ones. */
    List<String> receivers(Fields f, String key) {
      List<String> names = f.strings(key);
      if (knownReceivers != null) {
        for (String receiver : names) {
          if (!knownReceivers.contains(receiver)) {
            problems.add(
                f.node(key).position(),
                "unknown receiver '"
                    + receiver
                    + "'"
                    + (knownReceivers.isEmpty()
                        ? " (no receivers are configured)"
                        : " (configured: "
                            + String.join(", ", new java.util.TreeSet<>(knownReceivers))
                            + ")"));
          }
        }
      }
      return names;
    }

    /** Parses a condition, reporting errors at their column in the file; null when it fails. */
    Expr condition(YamlNode scalar) {
      String text = scalar instanceof YamlNode.Scalar s ? s.text() : null;
      if (text == null) {
        problems.add(scalar.position(), "expected a condition such as p95 > 500ms");
        return null;
      }
      try {
        return ExprParser.parseCondition(text);
      } catch (ExprException e) {
        problems.add(expressionPosition(scalar, source.text(), e.column()), e.getMessage());
        return null;
      }
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
    List<Rollout> rollouts = new ArrayList<>();
    List<Slo> slos = new ArrayList<>();
    Map<String, Position> names = new LinkedHashMap<>();
    for (Source source : sources) {
      if (source.text() == null) {
        problems.add(new Position(source.file(), 1, 1), source.problem());
        continue;
      }
      YamlNode root = YamlReader.read(source.file(), source.text(), problems);
      if (root == null) {
        continue;
      }
      Context cx = new Context(source, maxWindow, receivers, names, problems);
      Fields top = Fields.of(root, "a rule file", problems, null);
      for (YamlNode item : top.list("rules")) {
        addIfRead(rules, readRule(item, cx));
      }
      for (YamlNode item : top.list("rollouts")) {
        addIfRead(rollouts, RolloutReader.read(item, cx));
      }
      for (YamlNode item : top.list("slos")) {
        addIfRead(slos, SloReader.read(item, cx));
      }
      top.finish();
    }
    return new Result(
        List.copyOf(rules),
        List.copyOf(rollouts),
        List.copyOf(slos),
        problems,
        List.copyOf(warnings));
  }

  private static <T> void addIfRead(List<T> into, T item) {
    if (item != null) {
      into.add(item);
    }
  }

  private static Rule readRule(YamlNode node, Context cx) {
    Problems problems = cx.problems();
    Fields f = Fields.of(node, "a rule", problems, null);
    int before = problems.size();
    String name = cx.claimName(f, "a rule");
    String description = f.string("description", "");
    Map<String, String> selectSpec = f.stringMap("select");
    Selector select = selector(f, "select", selectSpec, problems);
    List<String> by = f.strings("by");
    Duration window =
        f.duration("window", Duration.ofMinutes(1), Duration.ofSeconds(1), cx.maxWindow());
    String whenText = f.requiredString("when");
    Expr when = whenText == null ? null : cx.condition(f.node("when"));
    if (when instanceof Expr.Judge j) {
      problems.add(
          f.node("when").position(),
          j
              + " judges a rollout's canary against its baseline over the stage: use it in a"
              + " rollout's rollback_when or promote_when (docs/rollouts.md)");
      when = null;
    }
    Duration forDuration = f.duration("for", Duration.ZERO, Duration.ZERO, MAX_FOR);
    int consecutive = (int) f.integer("consecutive", 1, 1, 10_000);
    Duration every = f.duration("every", null, Duration.ofMillis(100), Duration.ofHours(1));
    long minSamples = f.integer("min_samples", 1, 1, Long.MAX_VALUE);
    Duration keepFiringFor = f.duration("keep_firing_for", Duration.ZERO, Duration.ZERO, MAX_FOR);
    Severity severity = severity(f, "warning", problems);
    List<String> notify = cx.receivers(f, "notify");
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

  static Selector selector(Fields f, String key, Map<String, String> spec, Problems problems) {
    try {
      return Selector.parse(spec);
    } catch (IllegalArgumentException e) {
      problems.add(f.node(key).position(), e.getMessage());
      return Selector.ALL;
    }
  }

  static Severity severity(Fields f, String defaultSeverity, Problems problems) {
    String text = f.string("severity", defaultSeverity);
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
