package io.rollguard.ingest;

/** An NDJSON line longer than {@code limits.max_body_bytes}: the stream cannot go on. */
public final class LineTooLongException extends Exception {
  private static final long serialVersionUID = 1L;

  public LineTooLongException(String message) {
    super(message);
  }
}
