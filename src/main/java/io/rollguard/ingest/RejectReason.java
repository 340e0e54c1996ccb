package io.rollguard.ingest;

import java.util.Locale;

/** Why an item was not accepted; the {@code reason} label of the rejected-samples metric. */
public enum RejectReason {
  /** Wrong types, missing fields, negative or non-finite numbers, undecodable histograms. */
  INVALID,
  /** Stamped before the longest window: it could never count. */
  TOO_OLD,
  /** Stamped further ahead than {@code limits.max_future_skew}. */
  TOO_FAR_IN_FUTURE,
  /** Too many labels, or a label value too long. */
  LABELS,
  /** It would create a series past a cardinality cap. */
  CARDINALITY,
  /** The token may not write this service. */
  FORBIDDEN;

  public String metricName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
