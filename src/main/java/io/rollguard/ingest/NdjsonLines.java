package io.rollguard.ingest;

import java.util.Arrays;

/**
 * Splits a byte stream that arrives in chunks into NDJSON lines, numbered from 1. A line wholly
 * inside a chunk is handed out as a slice of that chunk; only a line that straddles chunks is
 * copied. Lines are handed out without their {@code \n} (a {@code \r} before it is kept: JSON
 * treats it as white space). The one line splitter of ingest and replay.
 *
 * <p>Not thread-safe: owned by one stream.
 */
public final class NdjsonLines {

  /** Receives one complete line: {@code bytes[from, from + length)}. */
  @FunctionalInterface
  public interface Handler {
    void line(byte[] bytes, int from, int length, int lineNumber);
  }

  private final long maxLineBytes;
  private byte[] carry = new byte[0];
  private int carryLength;
  private int nextLine = 1;

  /** {@code maxLineBytes}: a longer line ends the stream with a {@link LineTooLongException}. */
  public NdjsonLines(long maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  /** The number the next complete line will get. */
  public int nextLineNumber() {
    return nextLine;
  }

  /** Hands out every line that {@code chunk[from, from + length)} completes. */
  public void accept(byte[] chunk, int from, int length, Handler handler)
      throws LineTooLongException {
    int end = from + length;
    int start = from;
    for (int i = from; i < end; i++) {
      if (chunk[i] != '\n') {
        continue;
      }
      if (carryLength == 0) {
        handler.line(chunk, start, i - start, nextLine++);
      } else {
        append(chunk, start, i - start);
        int n = carryLength;
        carryLength = 0;
        handler.line(carry, 0, n, nextLine++);
      }
      start = i + 1;
    }
    append(chunk, start, end - start);
  }

  /** Hands out a last line that had no newline, if any. */
  public void finish(Handler handler) {
    if (carryLength > 0) {
      int n = carryLength;
      carryLength = 0;
      handler.line(carry, 0, n, nextLine++);
    }
  }

  private void append(byte[] bytes, int from, int length) throws LineTooLongException {
    if (length == 0) {
      return;
    }
    if (carryLength + (long) length > maxLineBytes) {
      throw new LineTooLongException(
          "line " + nextLine + " is longer than max_body_bytes (" + maxLineBytes + ")");
    }
    if (carryLength + length > carry.length) {
      carry =
          Arrays.copyOf(
              carry,
              (int) Math.min(maxLineBytes, Math.max(carryLength + length, 2L * carry.length)));
    }
    System.arraycopy(bytes, from, carry, carryLength, length);
    carryLength += length;
  }
}
