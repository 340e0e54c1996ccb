package io.rollguard.rules;

import java.util.Locale;

/** How urgent a rule's alert is; routes pick receivers by it. */
public enum Severity {
  CRITICAL,
  WARNING,
  INFO;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
