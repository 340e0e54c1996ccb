package io.rollguard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rollguard.ingest.InflightSlots;
import io.rollguard.ingest.IngestMetrics;
import io.rollguard.ingest.IngestOutcome;
import io.rollguard.ingest.RejectReason;
import io.rollguard.window.SeriesKind;
import io.rollguard.window.SeriesRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The meters Rollguard keeps about itself. Meters are created once here and updated per request,
 * never per sample. Thread-safe (Micrometer meters are).
 */
public final class RollguardMetrics implements IngestMetrics, AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Counter acceptedRequests;
  private final Counter acceptedGauges;
  private final Counter acceptedChecks;
  private final Counter acceptedHistograms;
  private final Counter ignored;
  private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
  private final Counter throttled;
  private final Counter timedOut;
  private final Counter lostAtFlush;
  private final Counter evicted;
  private final Timer ingestLatency;

  public RollguardMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    BuildInfo build = BuildInfo.current();
    Gauge.builder("rollguard.build.info", () -> 1)
        .description("Always 1; the labels say which version and commit is running")
        .tag("version", build.version())
        .tag("commit", build.commit())
        .register(registry);
    acceptedRequests = samples("requests");
    acceptedGauges = samples("gauges");
    acceptedChecks = samples("checks");
    acceptedHistograms = samples("histograms");
    ignored =
        Counter.builder("rollguard.ingest.ignored")
            .description(
                "OTLP data points that map onto no series (summaries, histograms that are not"
                    + " request metrics) and were dropped")
            .register(registry);
    for (RejectReason reason : RejectReason.values()) {
      rejected.put(
          reason,
          Counter.builder("rollguard.ingest.rejected")
              .description("Ingested items refused, by reason")
              .tag("reason", reason.metricName())
              .register(registry));
    }
    throttled =
        Counter.builder("rollguard.ingest.throttled")
            .description("Ingest requests answered 429 because too many were in flight")
            .register(registry);
    timedOut =
        Counter.builder("rollguard.ingest.timed.out")
            .description("Ingest requests answered 408 because their body arrived too slowly")
            .register(registry);
    lostAtFlush =
        Counter.builder("rollguard.ingest.lost")
            .description(
                "Accepted samples lost when written: their series was evicted and a cap refused it")
            .register(registry);
    evicted =
        Counter.builder("rollguard.series.evicted")
            .description("Series dropped after holding no data for the longest window")
            .register(registry);
    ingestLatency =
        Timer.builder("rollguard.ingest.request")
            .description("Time to read, parse and record one ingest request")
            .publishPercentiles(0.5, 0.99)
            .distributionStatisticExpiry(Duration.ofMinutes(1))
            .register(registry);
  }

  private Counter samples(String kind) {
    return Counter.builder("rollguard.ingest.samples")
        .description("Ingested items accepted, by kind (a histogram item counts once)")
        .tag("kind", kind)
        .register(registry);
  }

  /** The registry Vert.x's own meters go to as well. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Gauges of how many series of each kind are live. */
  public void watchSeries(SeriesRegistry series) {
    for (SeriesKind kind : SeriesKind.values()) {
      Gauge.builder("rollguard.series.active", series, s -> s.size(kind))
          .description("Live series, by kind")
          .tag("kind", kind.wireName())
          .register(registry);
    }
  }

  /** A gauge of the ingest bodies being read now. */
  public void watchInflight(InflightSlots slots) {
    Gauge.builder("rollguard.ingest.inflight", slots, InflightSlots::inUse)
        .description("Ingest request bodies being read now (max_inflight_requests caps them)")
        .register(registry);
  }

  @Override
  public void recordIngest(IngestOutcome outcome, long elapsedNanos) {
    acceptedRequests.increment(outcome.acceptedRequests());
    acceptedGauges.increment(outcome.acceptedGauges());
    acceptedChecks.increment(outcome.acceptedChecks());
    acceptedHistograms.increment(outcome.acceptedHistograms());
    ignored.increment(outcome.ignored());
    for (var e : outcome.rejectedByReason().entrySet()) {
      rejected.get(e.getKey()).increment(e.getValue());
    }
    ingestLatency.record(Duration.ofNanos(elapsedNanos));
  }

  @Override
  public void recordThrottled() {
    throttled.increment();
  }

  @Override
  public void recordTimedOut() {
    timedOut.increment();
  }

  @Override
  public void recordLostAtFlush(long samples) {
    lostAtFlush.increment(samples);
  }

  public void recordEvicted(int series) {
    evicted.increment(series);
  }

  /**
   * The Prometheus text exposition. CPU work proportional to the meters: call it off the event
   * loop.
   */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
