package io.rollguard.server;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.RuleEngine;
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
import io.rollguard.notify.Links;
import io.rollguard.notify.Notification;
import io.rollguard.notify.Notifier;
import io.rollguard.notify.Outbox;
import io.rollguard.report.RolloutJournal;
import io.rollguard.rollout.RolloutEngine;
import io.rollguard.slo.SloEngine;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.logging.Logger;

/**
 * A running Rollguard: Vert.x with one HTTP verticle per event loop, the series registry, metrics,
 * and the periodic eviction of idle series. Start with {@link #start}, stop with {@link #close}.
 */
public final class RollguardServer {

  private static final Logger LOG = Logger.getLogger(RollguardServer.class.getName());
  private static final long EVICTION_PERIOD_MILLIS = 10_000;

  /** The rollout journal keeps what the longest report can ask for (api: span at most 400d). */
  private static final long JOURNAL_RETENTION_MILLIS = 400L * 86_400_000L;

  private static final int JOURNAL_MAX_ENTRIES = 10_000;

  private final Vertx vertx;
  private final RollguardMetrics metrics;
  private final SeriesRegistry series;
  private final RulesService rules;
  private final Notifier notifier;
  private final ClusterNode cluster;
  private final int port;

  private RollguardServer(
      Vertx vertx,
      RollguardMetrics metrics,
      SeriesRegistry series,
      RulesService rules,
      Notifier notifier,
      ClusterNode cluster,
      int port) {
    this.notifier = notifier;
    this.cluster = cluster;
    this.vertx = vertx;
    this.metrics = metrics;
    this.series = series;
    this.rules = rules;
    this.port = port;
  }

  /** Builds and starts a server; the future fails if the port cannot be bound. */
  public static Future<RollguardServer> start(RollguardConfig config, Clock clock) {
    RollguardMetrics metrics = new RollguardMetrics();
    int eventLoops = Math.max(2, Runtime.getRuntime().availableProcessors());
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setEventLoopPoolSize(eventLoops)
                    .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
            .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
            .build();

    RollguardConfig.Limits limits = config.limits();
    WindowSettings windows = WindowSettings.of(limits.maxWindow(), limits.maxFutureSkew());
    SeriesRegistry series =
        new SeriesRegistry(windows, limits.maxSeries(), limits.maxSeriesPerService());
    metrics.watchSeries(series);
    IngestLimits ingestLimits = IngestLimits.of(limits);
    IngestAuth auth =
        new IngestAuth(
            config.auth().ingestTokens().stream()
                .map(t -> new IngestAuth.Token(t.token(), t.services()))
                .toList());
    // Vert.x shares one listening socket among verticles asking for the same host and port, but
    // port 0 would give each its own free port: pick one first, and let all of them ask for it.
    int port;
    try {
      port =
          config.server().port() == 0 ? freePort(config.server().host()) : config.server().port();
    } catch (IOException e) {
      vertx.close();
      return Future.failedFuture(e);
    }

    // Blocking writes (outbox, alert states, incidents) go to one ordered worker thread.
    WorkerExecutor storage = vertx.createSharedWorkerExecutor("rollguard-storage", 1);
    Executor storageTasks =
        task ->
            storage.executeBlocking(
                () -> {
                  task.run();
                  return null;
                },
                true);
    Timers timers = new VertxTimers(vertx);
    WriteBarrier barrier = new WriteBarrier();
    Path dataDir = config.dataDir();
    Outbox outbox = new Outbox(dataDir.resolve("outbox"));
    IncidentLog incidents = new IncidentLog(dataDir.resolve("incidents"), storageTasks);
    AlertStateStore states = new AlertStateStore(dataDir);
    RolloutStateStore rolloutStates = new RolloutStateStore(dataDir);
    SloStateStore sloStates = new SloStateStore(dataDir);
    ReportStateStore reportStates = new ReportStateStore(dataDir);
    RolloutJournal journal = new RolloutJournal(JOURNAL_RETENTION_MILLIS, JOURNAL_MAX_ENTRIES);
    Links links = new Links(config.linkBase(port));
    ClusterNode cluster =
        config.cluster() == null
            ? null
            : new ClusterNode(
                config.cluster(),
                vertx,
                clock,
                series,
                limits.maxWindow().toMillis() + limits.maxFutureSkew().toMillis(),
                nodeId(port),
                advertised(config, port),
                states,
                rolloutStates,
                sloStates,
                metrics.registry());
    Notifier notifier =
        new Notifier(
            vertx,
            config,
            links,
            clock,
            new Random()::nextDouble,
            timers,
            storage,
            outbox,
            incidents,
            metrics.registry());
    RulesService rules =
        new RulesService(
            vertx,
            clock,
            timers,
            barrier,
            config,
            series,
            metrics.registry(),
            notifier,
            storage,
            states,
            rolloutStates,
            sloStates,
            journal,
            reportStates,
            cluster);
    if (cluster != null) {
      cluster.attach(rules, notifier);
    }
    ReportService reports =
        new ReportService(
            config.reports(),
            clock,
            timers,
            (now, span) -> ReportSources.read(rules, incidents, journal, links, now, span),
            notifier,
            reportStates,
            storage,
            metrics.registry());
    InflightSlots inflight = new InflightSlots(limits.maxInflightRequests());
    metrics.watchInflight(inflight);
    Shared shared =
        new Shared(
            config,
            clock,
            series,
            ingestLimits,
            BodyLimits.of(limits),
            auth,
            inflight,
            timers,
            barrier,
            metrics,
            rules,
            incidents,
            reports,
            new OtlpStreams(
                limits.maxSeries(), limits.maxWindow().toMillis(), clock.wallTimeMillis()),
            new PromHistograms(
                limits.maxSeries(), limits.maxWindow().toMillis(), clock.wallTimeMillis()),
            cluster);

    HttpVerticle first = new HttpVerticle(shared, port);
    List<ReportStateStore.Sent> sentReports = new java.util.concurrent.CopyOnWriteArrayList<>();
    return vertx
        .fileSystem()
        .mkdirs(config.dataDir().toString())
        .compose(
            v ->
                storage.executeBlocking(
                    () -> {
                      Recovered r = recover(outbox, states, rolloutStates, sloStates, incidents);
                      journal.restore(reportStates.loadJournal());
                      sentReports.addAll(reportStates.loadSent());
                      return r;
                    },
                    true))
        .compose(
            recovered ->
                notifier
                    .start(recovered.pending(), incidents.openIncidents())
                    .compose(
                        v ->
                            cluster == null
                                ? rules.start(
                                    recovered.states(), recovered.stages(), recovered.slos())
                                // a cluster node's states come from the state topic, per key
                                : rules.start(List.of(), List.of(), List.of()))
                    .compose(
                        status ->
                            cluster == null
                                ? Future.succeededFuture(status)
                                : vertx.executeBlocking(
                                    () -> {
                                      cluster.start();
                                      return status;
                                    },
                                    false))
                    .onSuccess(status -> reports.start(sentReports, recovered.pending())))
        // a refused rule set is reported, not fatal
        .compose(status -> vertx.deployVerticle(first))
        .compose(
            id ->
                vertx.deployVerticle(
                    () -> new HttpVerticle(shared, port),
                    new DeploymentOptions().setInstances(eventLoops - 1)))
        .map(
            id -> {
              timers.every(
                  EVICTION_PERIOD_MILLIS,
                  () ->
                      vertx
                          .executeBlocking(() -> series.evictIdle(clock.wallTimeMillis()), false)
                          .onSuccess(metrics::recordEvicted));
              LOG.info(
                  () ->
                      "listening on port "
                          + first.actualPort()
                          + " with "
                          + eventLoops
                          + " event loops");
              return new RollguardServer(
                  vertx, metrics, series, rules, notifier, cluster, first.actualPort());
            })
        .recover(
            e -> {
              // Not chained on close(): a closed Vert.x runs no more callbacks.
              vertx.close();
              return Future.failedFuture(e);
            });
  }

  /** What a restart finds on disk: pending notifications, and alert states mended from them. */
  private record Recovered(
      List<Notification> pending,
      List<RuleEngine.SavedInstance> states,
      List<RolloutEngine.SavedStage> stages,
      List<SloEngine.SavedSlo> slos) {}

  /** Runs on the storage worker before anything else touches the data directory. */
  private static Recovered recover(
      Outbox outbox,
      AlertStateStore states,
      RolloutStateStore rolloutStates,
      SloStateStore sloStates,
      IncidentLog incidents)
      throws IOException {
    List<Notification> pending = outbox.load();
    incidents.load();
    for (Notification n : pending) {
      // died between the outbox write and the incident's: the incident starts from the outbox
      if (n.alert() != null
          && n.event() != Notification.Event.CHANGE
          && n.alert().kind() == AlertEvent.Kind.FIRING
          && incidents.get(n.alert().incidentId()) == null) {
        incidents.routed(n.alert(), List.of(n.receiver()));
      }
    }
    List<RuleEngine.SavedInstance> restored = AlertStateStore.reconcile(states.load(), pending);
    if (!pending.isEmpty()) {
      LOG.info(() -> pending.size() + " notification(s) from before the restart to deliver");
    }
    return new Recovered(pending, restored, rolloutStates.load(), sloStates.load());
  }

  /** A cluster node's name: stable across its restarts (its transactional id derives from it). */
  private static String nodeId(int port) {
    return hostName() + "-" + port;
  }

  /**
   * Where the other cluster nodes reach this node's API: {@code cluster.advertise}, else the
   * server's host (this host's name when it listens on every interface) and port.
   */
  private static String advertised(RollguardConfig config, int port) {
    if (config.cluster().advertise() != null) {
      return config.cluster().advertise();
    }
    String host = config.server().host();
    boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    return (wildcard ? hostName() : host) + ":" + port;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /**
   * A port free right now. Another process could take it before the verticles bind it; port 0 is
   * for tests and the demo, where that window of a few microseconds is acceptable.
   */
  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return port;
  }

  /** The live series (for tests and embedding). */
  public SeriesRegistry series() {
    return series;
  }

  /** The alert instances and rules as of the last evaluation (for tests and embedding). */
  public io.rollguard.alerting.RuleEngine.Snapshot alerts() {
    return rules.snapshot();
  }

  /**
   * Saves what must outlive the process, closes the receivers' connections, then Vert.x. The last
   * step runs on a thread of its own: Vert.x waits for its threads to finish when it closes, so it
   * must not be closed from one of them.
   */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    Future<Void> left =
        cluster == null
            ? Future.succeededFuture()
            : vertx.executeBlocking(
                () -> {
                  cluster.close(); // leave the group first: the partitions move at once
                  return null;
                },
                false);
    left.transform(ar -> rules.close())
        .transform(ar -> notifier.close())
        .onComplete(
            ar ->
                ForkJoinPool.commonPool()
                    .execute(() -> vertx.close().andThen(v -> metrics.close()).onComplete(closed)));
    return closed.future();
  }
}
