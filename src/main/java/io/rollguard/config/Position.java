package io.rollguard.config;

/** Where something stands in a file: 1-based line and column. Immutable. */
public record Position(String file, int line, int column) {

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
