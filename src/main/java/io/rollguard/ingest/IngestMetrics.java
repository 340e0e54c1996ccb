package io.rollguard.ingest;

/**
 * What ingest reports about itself; the {@code metrics} package turns it into meters.
 * Implementations are thread-safe: every event loop reports.
 */
public interface IngestMetrics {

  /** One request read to its end: what it carried and how long it took. */
  void recordIngest(IngestOutcome outcome, long elapsedNanos);

  /** One request refused with 429 because every in-flight slot was taken. */
  void recordThrottled();

  /** One request whose body arrived too slowly and was cut off with 408. */
  void recordTimedOut();

  /**
   * Samples accepted into a write buffer but lost when it was flushed: their series had been
   * evicted meanwhile and a cap refused to make it again (rare: it needs an idle series at its
   * eviction time and a full cap).
   */
  void recordLostAtFlush(long samples);
}
