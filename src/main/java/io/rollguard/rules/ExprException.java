package io.rollguard.rules;

/** A {@code when} expression that does not parse or type-check, at a 1-based column. */
public final class ExprException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int column;

  public ExprException(int column, String message) {
    super(message);
    this.column = column;
  }

  public int column() {
    return column;
  }
}
