package io.rollguard.window;

/**
 * What a series holds; part of its identity along with its labels (and name, for gauges and
 * checks).
 */
public enum SeriesKind {
  REQUESTS,
  GAUGE,
  CHECK;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
