package io.rollguard.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every problem found while reading files, each with its position. Readers add to it and carry on,
 * so one run reports everything. Not thread-safe: owned by one read.
 */
public final class Problems {

  /** One problem: where and what. */
  public record Problem(Position position, String message) {
    @Override
    public String toString() {
      return position + ": " + message;
    }
  }

  private final List<Problem> problems = new ArrayList<>();

  public void add(Position position, String message) {
    problems.add(new Problem(position, message));
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public int size() {
    return problems.size();
  }

  /** The problems ordered by file, line and column. */
  public List<Problem> list() {
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(
        Comparator.comparing((Problem p) -> p.position().file())
            .thenComparingInt(p -> p.position().line())
            .thenComparingInt(p -> p.position().column()));
    return sorted;
  }

  /** One {@code file:line:column: message} per line. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    for (Problem p : list()) {
      sb.append(p).append('\n');
    }
    return sb.toString();
  }
}
