package io.rollguard.server;

import io.rollguard.clock.Clock;
import io.rollguard.config.RollguardConfig;
import io.rollguard.incident.IncidentLog;
import io.rollguard.ingest.IngestAuth;
import io.rollguard.ingest.IngestLimits;
import io.rollguard.metrics.RollguardMetrics;
import io.rollguard.window.SeriesRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** What every HTTP verticle shares: all thread-safe. */
record Shared(
    RollguardConfig config,
    Clock clock,
    SeriesRegistry series,
    IngestLimits ingestLimits,
    IngestAuth auth,
    AtomicInteger inflight,
    RollguardMetrics metrics,
    RulesService rules,
    IncidentLog incidents) {}
