package io.rollguard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the fields of one YAML mapping with types, defaults and ranges. Every mistake is added to
 * {@link Problems} at the position of the offending node and a default is returned, so reading
 * carries on; {@link #finish()} then reports the keys nobody asked for as unknown. Not thread-safe:
 * used by one read.
 */
public final class Fields {

  private static final Pattern BYTES =
      Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final YamlNode.Mapping mapping;
  private final Problems problems;
  private final UnaryOperator<String> env;
  private final Set<String> read = new LinkedHashSet<>();

  private Fields(YamlNode.Mapping mapping, Problems problems, UnaryOperator<String> env) {
    this.mapping = mapping;
    this.problems = problems;
    this.env = env;
  }

  /**
   * Fields of {@code node}, or of an empty mapping (with a problem) when {@code node} is not a
   * mapping. {@code env} resolves {@code ${NAME}} in strings (null: no expansion).
   */
  public static Fields of(
      YamlNode node, String what, Problems problems, UnaryOperator<String> env) {
    if (node instanceof YamlNode.Mapping m) {
      return new Fields(m, problems, env);
    }
    if (node != null
        && !(node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.NULL)) {
      problems.add(node.position(), what + " must be a mapping, got " + node.describe());
    }
    Position at = node == null ? new Position("?", 1, 1) : node.position();
    return new Fields(new YamlNode.Mapping(at, Map.of()), problems, env);
  }

  public Problems problems() {
    return problems;
  }

  public Position position() {
    return mapping.position();
  }

  public boolean has(String key) {
    return mapping.entries().containsKey(key);
  }

  /** The raw node of {@code key}, or null; marks the key as known. */
  public YamlNode node(String key) {
    read.add(key);
    YamlNode.Entry e = mapping.entries().get(key);
    return e == null ? null : e.value();
  }

  public String string(String key, String defaultValue) {
    YamlNode node = node(key);
    if (node == null || isNull(node)) {
      return defaultValue;
    }
    if (node instanceof YamlNode.Scalar s) {
      return expand(s);
    }
    problems.add(node.position(), "'" + key + "' must be a string, got " + node.describe());
    return defaultValue;
  }

  public String requiredString(String key) {
    if (!has(key)) {
      read.add(key);
      problems.add(mapping.position(), "missing required key '" + key + "'");
      return null;
    }
    return string(key, null);
  }

  public long integer(String key, long defaultValue, long min, long max) {
    YamlNode node = node(key);
    if (node == null || isNull(node)) {
      return defaultValue;
    }
    if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.NUMBER) {
      try {
        long v = Long.parseLong(s.text());
        if (v < min || v > max) {
          problems.add(
              node.position(),
              "'" + key + "' must be between " + min + " and " + max + ", got " + v);
          return defaultValue;
        }
        return v;
      } catch (NumberFormatException e) {
        if (s.text().matches("-?\\d+")) {
          problems.add(
              node.position(),
              "'" + key + "' must be between " + min + " and " + max + ", got " + s.text());
          return defaultValue;
        }
      }
    }
    problems.add(node.position(), "'" + key + "' must be a whole number, got " + describe(node));
    return defaultValue;
  }

  public boolean bool(String key, boolean defaultValue) {
    YamlNode node = node(key);
    if (node == null || isNull(node)) {
      return defaultValue;
    }
    if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.BOOLEAN) {
      return Boolean.parseBoolean(s.text());
    }
    problems.add(node.position(), "'" + key + "' must be true or false, got " + describe(node));
    return defaultValue;
  }

  public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
    YamlNode node = node(key);
    if (node == null || isNull(node)) {
      return defaultValue;
    }
    if (node instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.BOOLEAN) {
      try {
        Duration d = Durations.parse(s.text());
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
          problems.add(
              node.position(),
              "'"
                  + key
                  + "' must be between "
                  + Durations.format(min)
                  + " and "
                  + Durations.format(max)
                  + ", got "
                  + s.text());
          return defaultValue;
        }
        return d;
      } catch (IllegalArgumentException e) {
        problems.add(node.position(), "'" + key + "': " + e.getMessage());
        return defaultValue;
      }
    }
    problems.add(
        node.position(), "'" + key + "' must be a duration such as 30s, got " + describe(node));
    return defaultValue;
  }

  /**
   * A ratio in [{@code min}, {@code max}]: a percentage ({@code 99.9%}, {@code 10%}) or a plain
   * number ({@code 0.999}).
   */
  public double ratio(String key, double defaultValue, double min, double max) {
    YamlNode node = node(key);
    if (node == null || isNull(node)) {
      return defaultValue;
    }
    if (node instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.BOOLEAN) {
      String text = s.text().trim();
      try {
        double v =
            text.endsWith("%")
                ? new java.math.BigDecimal(text.substring(0, text.length() - 1).trim())
                    .movePointLeft(2)
                    .doubleValue()
                : Double.parseDouble(text);
        if (!(v >= min && v <= max)) {
          problems.add(
              node.position(),
              "'"
                  + key
                  + "' must be between "
                  + percent(min)
                  + " and "
                  + percent(max)
                  + ", got "
                  + text);
          return defaultValue;
        }
        return v;
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
    }
    problems.add(
        node.position(),
        "'" + key + "' must be a ratio such as 99.9% or 0.999, got " + describe(node));
    return defaultValue;
  }

  /** A ratio as the shortest exact percentage: 0.999 -> "99.9%", 1e-5 -> "0.001%". */
  public static String percent(double ratio) {
    return new java.math.BigDecimal(ratio * 100)
            .round(new java.math.MathContext(9))
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }

  /** A size in bytes: a whole number, or with a unit such as {@code 8MiB} or {@code 512KB}. */
  public long bytes(String key, long defaultValue, long min, long max) {
    YamlNode node = node(key);
    if (node == null || isNull(node)) {
      return defaultValue;
    }
    if (node instanceof YamlNode.Scalar s) {
      Matcher m = BYTES.matcher(s.text().trim());
      if (m.matches()) {
        long n;
        try {
          n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          n = Long.MAX_VALUE; // more digits than a long holds: out of range below
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long factor =
            switch (unit) {
              case "KB" -> 1_000L;
              case "KIB" -> 1L << 10;
              case "MB" -> 1_000_000L;
              case "MIB" -> 1L << 20;
              case "GB" -> 1_000_000_000L;
              case "GIB" -> 1L << 30;
              default -> 1L;
            };
        long v;
        try {
          v = Math.multiplyExact(n, factor);
        } catch (ArithmeticException e) {
          v = Long.MAX_VALUE;
        }
        if (v >= min && v <= max) {
          return v;
        }
        problems.add(
            node.position(),
            "'" + key + "' must be between " + min + " and " + max + " bytes, got " + s.text());
        return defaultValue;
      }
    }
    problems.add(
        node.position(), "'" + key + "' must be a size such as 8MiB, got " + describe(node));
    return defaultValue;
  }

  /** A list of strings; a single string is read as a list of one. */
  public List<String> strings(String key) {
    YamlNode node = node(key);
    List<String> out = new ArrayList<>();
    if (node == null || isNull(node)) {
      return out;
    }
    if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.STRING) {
      out.add(expand(s));
      return out;
    }
    if (node instanceof YamlNode.Sequence seq) {
      for (YamlNode item : seq.items()) {
        if (item instanceof YamlNode.Scalar s && s.kind() != YamlNode.Scalar.Kind.NULL) {
          out.add(expand(s));
        } else {
          problems.add(
              item.position(), "'" + key + "' items must be strings, got " + item.describe());
        }
      }
      return out;
    }
    problems.add(
        node.position(), "'" + key + "' must be a list of strings, got " + node.describe());
    return out;
  }

  /** A mapping of string to string, such as labels. */
  public Map<String, String> stringMap(String key) {
    YamlNode node = node(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || isNull(node)) {
      return out;
    }
    if (!(node instanceof YamlNode.Mapping m)) {
      problems.add(node.position(), "'" + key + "' must be a mapping, got " + node.describe());
      return out;
    }
    for (var e : m.entries().entrySet()) {
      if (e.getValue().value() instanceof YamlNode.Scalar s
          && s.kind() != YamlNode.Scalar.Kind.NULL) {
        out.put(e.getKey(), expand(s));
      } else {
        problems.add(
            e.getValue().value().position(), "'" + key + "." + e.getKey() + "' must be a string");
      }
    }
    return out;
  }

  /** The nested mapping {@code key} (empty when absent). */
  public Fields mapping(String key) {
    YamlNode node = node(key);
    if (node == null) {
      return new Fields(new YamlNode.Mapping(mapping.position(), Map.of()), problems, env);
    }
    return of(node, "'" + key + "'", problems, env);
  }

  /** The items of the list {@code key} (empty when absent). */
  public List<YamlNode> list(String key) {
    YamlNode node = node(key);
    if (node == null || isNull(node)) {
      return List.of();
    }
    if (node instanceof YamlNode.Sequence seq) {
      return seq.items();
    }
    problems.add(node.position(), "'" + key + "' must be a list, got " + node.describe());
    return List.of();
  }

  /** The entries of this mapping, for mappings whose keys are names (receivers, routes). */
  public Map<String, YamlNode.Entry> entries() {
    read.addAll(mapping.entries().keySet());
    return mapping.entries();
  }

  /** Reports every key that no reader asked for. */
  public void finish() {
    for (var e : mapping.entries().entrySet()) {
      if (!read.contains(e.getKey())) {
        problems.add(
            e.getValue().keyPosition(),
            "unknown key '" + e.getKey() + "' (expected one of: " + String.join(", ", read) + ")");
      }
    }
  }

  private String expand(YamlNode.Scalar s) {
    if (env == null || s.kind() != YamlNode.Scalar.Kind.STRING || !s.text().contains("${")) {
      return s.text();
    }
    Matcher m = ENV_REFERENCE.matcher(s.text());
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        problems.add(s.position(), "environment variable " + m.group(1) + " is not set");
        value = "";
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static boolean isNull(YamlNode node) {
    return node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.NULL;
  }

  private static String describe(YamlNode node) {
    return node instanceof YamlNode.Scalar s ? "'" + s.text() + "'" : node.describe();
  }
}
