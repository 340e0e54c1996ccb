package io.rollguard.rules;

import java.util.List;
import java.util.Map;

/**
 * The outcome of the last attempt to load rule files: when, whether it was taken, the files read
 * and every problem per file ({@code file:line:column: message}). When it was refused, the rules of
 * {@code activeSinceMillis} keep running. Immutable.
 */
public record LoadStatus(
    long attemptedAtMillis,
    boolean ok,
    List<String> files,
    Map<String, List<String>> problemsByFile,
    List<String> warnings,
    int activeRules,
    long activeSinceMillis) {

  public static final LoadStatus NONE =
      new LoadStatus(0, false, List.of(), Map.of(), List.of(), 0, 0);
}
