package io.rollguard.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Time stamps as every reader of ingest bodies takes them (SPEC: epoch milliseconds, or RFC 3339
 * strings): a whole number of milliseconds, a decimal number of milliseconds (the fraction is
 * dropped), or an RFC 3339 time with its offset. The one parser of the HTTP ingest path and of
 * {@code replay}'s scan, so both agree on every input. Stateless.
 */
public final class Timestamps {

  /** Thrown with a message fit for the client. */
  static final class InvalidTimestampException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidTimestampException(String message) {
      super(message);
    }
  }

  /** Beyond this, a double no longer names a whole millisecond (and a long would overflow). */
  private static final double LARGEST_EXACT_MILLIS = 0x1p53;

  private Timestamps() {}

  /** The time stamp the parser stands on; the value is consumed either way. */
  static long read(JsonParser p) throws IOException, InvalidTimestampException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new InvalidTimestampException("ts " + p.getText() + " is out of range");
      }
      return p.getLongValue();
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      return fromDecimal(p.getDoubleValue(), p.getText());
    }
    if (t == JsonToken.VALUE_STRING) {
      return fromRfc3339(p.getText());
    }
    p.skipChildren();
    throw new InvalidTimestampException("ts must be epoch milliseconds or an RFC 3339 time");
  }

  /**
   * The time stamp written as {@code text}: a JSON number's text ({@code quoted} false) or the
   * content of a JSON string ({@code quoted} true).
   */
  public static long parse(String text, boolean quoted) throws IllegalArgumentException {
    try {
      if (quoted) {
        return fromRfc3339(text);
      }
      boolean whole = text.chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'));
      if (whole) {
        try {
          return Long.parseLong(text);
        } catch (NumberFormatException e) {
          throw new InvalidTimestampException("ts " + text + " is out of range");
        }
      }
      try {
        return fromDecimal(Double.parseDouble(text), text);
      } catch (NumberFormatException e) {
        throw new InvalidTimestampException("ts must be epoch milliseconds, got " + text);
      }
    } catch (InvalidTimestampException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static long fromDecimal(double millis, String text) throws InvalidTimestampException {
    if (!Double.isFinite(millis) || Math.abs(millis) >= LARGEST_EXACT_MILLIS) {
      throw new InvalidTimestampException("ts " + text + " is out of range");
    }
    return (long) Math.floor(millis);
  }

  private static long fromRfc3339(String text) throws InvalidTimestampException {
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new InvalidTimestampException(
          "ts must be epoch milliseconds or an RFC 3339 time, got '" + abbreviate(text) + "'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
