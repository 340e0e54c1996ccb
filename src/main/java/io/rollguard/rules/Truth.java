package io.rollguard.rules;

/**
 * The outcome of a condition. A comparison with no data on either side is {@link #NO_DATA}, and
 * {@code and}/{@code or}/{@code not} follow three-valued (Kleene) logic, so that {@code not (p95 >
 * 500ms)} over an empty window is no data rather than a violation. Only {@link #TRUE} fires.
 */
public enum Truth {
  TRUE,
  FALSE,
  NO_DATA;

  static Truth of(boolean b) {
    return b ? TRUE : FALSE;
  }

  Truth and(Truth other) {
    if (this == FALSE || other == FALSE) {
      return FALSE;
    }
    return this == TRUE && other == TRUE ? TRUE : NO_DATA;
  }

  Truth or(Truth other) {
    if (this == TRUE || other == TRUE) {
      return TRUE;
    }
    return this == FALSE && other == FALSE ? FALSE : NO_DATA;
  }

  Truth not() {
    return this == NO_DATA ? NO_DATA : of(this == FALSE);
  }
}
