package io.rollguard.alerting;

import java.util.Locale;

/** Where an alert instance stands in its lifecycle. */
public enum Phase {
  INACTIVE,
  PENDING,
  FIRING;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
