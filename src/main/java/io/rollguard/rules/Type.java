package io.rollguard.rules;

/**
 * The type of a {@code when} sub-expression, checked when a rule file loads. A bare number literal
 * ({@link #ANY}) fits any numeric type; ratios and plain numbers mix (gauges are often ratios);
 * durations mix only with durations.
 */
public enum Type {
  /** Milliseconds: {@code p95}, {@code 500ms}. */
  DURATION("a duration"),
  /** 0..1: {@code error_rate}, {@code 1%}. */
  RATIO("a ratio"),
  /** A plain number: {@code count}, {@code gauge("x")}. */
  NUMBER("a number"),
  /** A bare literal such as {@code 3} or {@code 1.10}: takes the type of what it meets. */
  ANY("a number"),
  /** A condition: comparisons and {@code and}/{@code or}/{@code not}. */
  BOOLEAN("a condition");

  private final String description;

  Type(String description) {
    this.description = description;
  }

  boolean numeric() {
    return this != BOOLEAN;
  }

  /** Whether values of the two types may be compared, added or subtracted. */
  static boolean compatible(Type a, Type b) {
    if (a == ANY || b == ANY) {
      return true;
    }
    if (a == DURATION || b == DURATION) {
      return a == b;
    }
    return true; // RATIO and NUMBER mix
  }

  @Override
  public String toString() {
    return description;
  }
}
