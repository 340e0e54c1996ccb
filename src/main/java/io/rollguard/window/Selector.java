package io.rollguard.window;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Label matchers that pick series: an exact value ({@code stage: canary}), a regular expression
 * ({@code endpoint: "~/api/.*"}, matched against the whole value) or a negation ({@code stage:
 * "!canary"}). An empty selector matches everything. A negation also matches series that lack the
 * label; exact and regex matchers need it present. Immutable and thread-safe.
 */
public final class Selector {

  public static final Selector ALL = new Selector(List.of());

  private final List<Matcher> matchers;

  private Selector(List<Matcher> matchers) {
    this.matchers = List.copyOf(matchers);
  }

  /**
   * Parses {@code name -> matcher text} pairs.
   *
   * @throws IllegalArgumentException naming the label when a regular expression does not compile
   */
  public static Selector parse(Map<String, String> spec) {
    List<Matcher> matchers = new ArrayList<>();
    for (Map.Entry<String, String> e : spec.entrySet()) {
      matchers.add(Matcher.parse(e.getKey(), e.getValue()));
    }
    return new Selector(matchers);
  }

  public boolean matches(Labels labels) {
    for (Matcher m : matchers) {
      if (!m.matches(labels.get(m.name))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The labels every series a selector written as {@code spec} picks is sure to carry: its
   * exact-value matchers, by name (regular expressions and negations pin no value).
   */
  public static Map<String, String> exactValues(Map<String, String> spec) {
    Map<String, String> exact = new java.util.TreeMap<>();
    spec.forEach(
        (name, text) -> {
          if (Matcher.kindOf(text) == Kind.EXACT) {
            exact.put(name, text);
          }
        });
    return exact;
  }

  /** The value an exact matcher requires for {@code name}, or null (lets callers use an index). */
  public String exactValue(String name) {
    for (Matcher m : matchers) {
      if (m.name.equals(name) && m.kind == Kind.EXACT) {
        return m.text;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return matchers.toString();
  }

  private enum Kind {
    EXACT,
    REGEX,
    NOT
  }

  private static final class Matcher {
    final String name;
    final Kind kind;
    final String text;
    final Pattern pattern;

    private Matcher(String name, Kind kind, String text, Pattern pattern) {
      this.name = name;
      this.kind = kind;
      this.text = text;
      this.pattern = pattern;
    }

    static Kind kindOf(String spec) {
      return spec.startsWith("~") ? Kind.REGEX : spec.startsWith("!") ? Kind.NOT : Kind.EXACT;
    }

    static Matcher parse(String name, String spec) {
      if (spec.startsWith("~")) {
        String regex = spec.substring(1);
        try {
          return new Matcher(name, Kind.REGEX, regex, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException(
              "label '" + name + "': bad regular expression: " + e.getDescription(), e);
        }
      }
      if (spec.startsWith("!")) {
        return new Matcher(name, Kind.NOT, spec.substring(1), null);
      }
      return new Matcher(name, Kind.EXACT, spec, null);
    }

    boolean matches(String value) {
      return switch (kind) {
        case EXACT -> text.equals(value);
        case NOT -> !text.equals(value);
        case REGEX -> value != null && pattern.matcher(value).matches();
      };
    }

    @Override
    public String toString() {
      return name + (kind == Kind.EXACT ? "=" : kind == Kind.NOT ? "!=" : "=~") + text;
    }
  }
}
