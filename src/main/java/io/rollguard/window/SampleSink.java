package io.rollguard.window;

import org.HdrHistogram.AbstractHistogram;

/**
 * Where an ingestor puts what it accepted when the windows are not its own: in cluster mode
 * (docs/cluster.md) every node takes ingest, and the samples go to the node that owns their
 * evaluation key rather than into local windows. Each call is one accepted item of a series; the
 * series' labels are final (batch and item labels merged, checked). Implementations are owned by
 * one request and are not thread-safe.
 */
public interface SampleSink {

  /** Requests {@code samples[from, to)} of {@code series}. */
  void requests(Labels series, RequestSamples samples, int from, int to);

  /** A pre-aggregated interval (microseconds) ending at {@code endMillis}. */
  void histogram(Labels series, long endMillis, AbstractHistogram micros, int errors);

  /** A pre-bucketed data point ending at {@code endMillis}. */
  void buckets(Labels series, long endMillis, BucketedLatency latency, int errors);

  void gauge(String name, Labels series, long tsMillis, double value);

  void check(String name, Labels series, long tsMillis, boolean ok);
}
