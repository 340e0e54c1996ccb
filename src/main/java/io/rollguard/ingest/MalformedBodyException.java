package io.rollguard.ingest;

/** A body that is not parseable at all; the message says where (line and column). */
public final class MalformedBodyException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedBodyException(String message) {
    super(message);
  }
}
