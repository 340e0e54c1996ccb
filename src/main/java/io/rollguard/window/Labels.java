package io.rollguard.window;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable, sorted set of label name/value pairs that identifies a series ({@code service} is a
 * label like any other). Equality and hash are by content; instances are safe to share between
 * threads and to use as map keys.
 */
public final class Labels {

  public static final Labels EMPTY = new Labels(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;
  private final int hash;

  private Labels(String[] sortedNames, String[] values) {
    this.names = sortedNames;
    this.values = values;
    this.hash = 31 * Arrays.hashCode(sortedNames) + Arrays.hashCode(values);
  }

  /** Labels from a map; iteration order of the map does not matter. */
  public static Labels of(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, String> sorted = new TreeMap<>(labels);
    return new Labels(
        sorted.keySet().toArray(new String[0]), sorted.values().toArray(new String[0]));
  }

  /** Labels from alternating names and values: {@code of("service", "checkout", "stage", "x")}. */
  public static Labels of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    Map<String, String> map = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return of(map);
  }

  /** These labels with {@code overrides} merged over them. */
  public Labels with(Labels overrides) {
    if (overrides.size() == 0) {
      return this;
    }
    if (size() == 0) {
      return overrides;
    }
    Map<String, String> merged = new TreeMap<>(asMap());
    merged.putAll(overrides.asMap());
    return of(merged);
  }

  /** The value of {@code name}, or null when absent. */
  public String get(String name) {
    int i = Arrays.binarySearch(names, name);
    return i >= 0 ? values[i] : null;
  }

  public int size() {
    return names.length;
  }

  public String name(int i) {
    return names[i];
  }

  public String value(int i) {
    return values[i];
  }

  /** These labels reduced to {@code keep} (the {@code by} grouping of a query or rule). */
  public Labels project(Iterable<String> keep) {
    Map<String, String> kept = new TreeMap<>();
    for (String name : keep) {
      String value = get(name);
      if (value != null) {
        kept.put(name, value);
      }
    }
    return of(kept);
  }

  /** An unmodifiable, name-ordered view. */
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      map.put(names[i], values[i]);
    }
    return Collections.unmodifiableMap(map);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels other
        && hash == other.hash
        && Arrays.equals(names, other.names)
        && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(names[i]).append('=').append(values[i]);
    }
    return sb.append('}').toString();
  }
}
