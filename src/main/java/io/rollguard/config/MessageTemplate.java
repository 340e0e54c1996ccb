package io.rollguard.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-line message template such as an email subject: text with {@code {{name}}} placeholders
 * from a fixed set, and {@code {{labels.NAME}}} for a label. Parsed when the configuration is
 * loaded, so an unknown placeholder is a load error, not an empty spot in a page. What it renders
 * is one line: line breaks in values become spaces (a label value can never add a mail header).
 * Immutable.
 */
public final class MessageTemplate {

  /** The placeholders besides {@code labels.NAME}. */
  public static final Set<String> NAMES =
      Set.of("status", "rule", "severity", "summary", "value", "threshold", "incident", "stage");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_.0-9-]+)\\s*}}");

  private final String text;
  private final List<Object> parts; // String literal, or Ref

  private record Ref(String name) {}

  private MessageTemplate(String text, List<Object> parts) {
    this.text = text;
    this.parts = parts;
  }

  /** Parses {@code text}; unknown placeholders are added to {@code errors} (then null). */
  public static MessageTemplate parse(String text, List<String> errors) {
    List<Object> parts = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    int at = 0;
    boolean ok = true;
    while (m.find()) {
      parts.add(text.substring(at, m.start()));
      String name = m.group(1);
      if (!NAMES.contains(name) && !(name.startsWith("labels.") && name.length() > 7)) {
        errors.add(
            "unknown placeholder {{"
                + name
                + "}} (expected one of: "
                + String.join(", ", NAMES.stream().sorted().toList())
                + ", labels.NAME)");
        ok = false;
      }
      parts.add(new Ref(name));
      at = m.end();
    }
    parts.add(text.substring(at));
    return ok ? new MessageTemplate(text, List.copyOf(parts)) : null;
  }

  /** The text with every placeholder replaced by {@code values} (null: empty), on one line. */
  public String render(UnaryOperator<String> values) {
    StringBuilder sb = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof Ref r) {
        String v = values.apply(r.name());
        sb.append(v == null ? "" : v);
      } else {
        sb.append((String) p);
      }
    }
    return oneLine(sb.toString());
  }

  /** {@code text} on one line: control characters and line separators become one space. */
  public static String oneLine(String text) {
    return text == null
        ? ""
        : text.replaceAll("[\\r\\n\\t\\u0000-\\u001f\\u007f\\u2028\\u2029]+", " ").strip();
  }

  @Override
  public String toString() {
    return text;
  }
}
