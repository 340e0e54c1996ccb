package io.rollguard.server;

import io.rollguard.clock.Clock;
import io.rollguard.clock.Timers;
import io.rollguard.config.RollguardConfig;
import io.rollguard.incident.IncidentLog;
import io.rollguard.ingest.BodyLimits;
import io.rollguard.ingest.InflightSlots;
import io.rollguard.ingest.IngestAuth;
import io.rollguard.ingest.IngestLimits;
import io.rollguard.ingest.OtlpStreams;
import io.rollguard.ingest.PromHistograms;
import io.rollguard.ingest.WriteBarrier;
import io.rollguard.metrics.RollguardMetrics;
import io.rollguard.window.SeriesRegistry;

/** What every HTTP verticle shares: all thread-safe. */
record Shared(
    RollguardConfig config,
    Clock clock,
    SeriesRegistry series,
    IngestLimits ingestLimits,
    BodyLimits bodyLimits,
    IngestAuth auth,
    InflightSlots inflight,
    Timers timers,
    WriteBarrier barrier,
    RollguardMetrics metrics,
    RulesService rules,
    IncidentLog incidents,
    ReportService reports,
    OtlpStreams otlpStreams,
    PromHistograms promHistograms,
    ClusterNode cluster) {}
