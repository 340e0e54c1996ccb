package io.rollguard.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.IncidentIds;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.Clock;
import io.rollguard.clock.Timers;
import io.rollguard.config.Problems;
import io.rollguard.config.RollguardConfig;
import io.rollguard.evaluation.Evaluation;
import io.rollguard.history.EvaluationHistory;
import io.rollguard.ingest.WriteBarrier;
import io.rollguard.notify.Notifier;
import io.rollguard.notify.OutboxBacklog;
import io.rollguard.report.RolloutJournal;
import io.rollguard.rollout.RolloutEngine;
import io.rollguard.rollout.Verdict;
import io.rollguard.rules.LoadStatus;
import io.rollguard.rules.RuleFiles;
import io.rollguard.rules.RuleLoader;
import io.rollguard.slo.SloEngine;
import io.rollguard.window.SeriesRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the rule files: loads them, evaluates their rules, rollouts and SLOs every {@code
 * evaluation_interval}, reloads them when the files change or on request, hands alert transitions
 * and rollback verdicts to the {@link Notifier}, and saves alert states and rollout stages so that
 * a restart neither re-pages nor forgets an incident or a stage.
 *
 * <p><b>Concurrency.</b> The engines and the load status are confined to one worker thread (a
 * Vert.x worker executor of size one): loading, reloading, ticking and setting a rollout's stage
 * never run at the same time, and never on an event loop. Readers use the engines' snapshots and
 * {@link #status()}, all immutable and published through volatile fields.
 */
final class RulesService {

  private static final Logger LOG = Logger.getLogger("io.rollguard.alerts");
  private static final long WATCH_PERIOD_MILLIS = 2_000;
  private static final long SLO_SAVE_PERIOD_MILLIS = 60_000;

  private final Vertx vertx;
  private final Clock clock;
  private final Timers timers;
  private final WriteBarrier barrier;
  private final RollguardConfig config;
  private final Evaluation evaluation;
  private final EvaluationMetrics evaluationMetrics;
  private final EvaluationHistory history;
  private final RuleEngine engine;
  private final WorkerExecutor executor;
  private final AtomicBoolean ticking = new AtomicBoolean();
  private final Counter reloadFailures;
  private final Timer tickTime;
  private final Notifier notifier;
  private final WorkerExecutor storage;
  private final AlertStateStore stateStore;
  private final RolloutEngine rollouts;
  private final RolloutStateStore rolloutStore;
  private final SloStateStore sloStore;
  private final RolloutJournal journal;
  private final ReportStateStore reportStore;
  private final SloEngine slos;
  private final Counter outboxFailures;
  private volatile LoadStatus status = LoadStatus.NONE;

  /** Cluster mode: which keys this node owns; null on a single node. */
  private final ClusterOwnership cluster;

  /** Cluster mode: the key of every definition ({@link ClusterOwnership#definitionKey}). */
  private volatile Map<String, String> keyOf = Map.of();

  /** Cluster mode: keys being rebuilt; no evaluation runs while any are. */
  private final java.util.concurrent.atomic.AtomicInteger rebuilding =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Cluster mode: the SLO counts last saved, handed on with every state change. */
  private List<SloEngine.SavedSlo> lastSlos = List.of();

  /** Transitions handed to the notifier but not yet durable in the outbox, in order. */
  private final ArrayDeque<List<AlertEvent>> unwritten = new ArrayDeque<>();

  /** A submit to the notifier is in flight (rules worker only). */
  private boolean handing;

  private volatile OutboxBacklog backlog = OutboxBacklog.EMPTY;

  /** The warning incident of a refused rule file set; null while the files load (rules worker). */
  private AlertEvent refusedFiles;

  /** States saved before a restart, applied at the first load that succeeds. */
  private List<RuleEngine.SavedInstance> toRestore = List.of();

  private List<RolloutEngine.SavedStage> stagesToRestore = List.of();

  private List<SloEngine.SavedSlo> slosToRestore = List.of();

  /** When the SLO counts were last saved (rules worker only). */
  private long slosSavedAtMillis;

  private String fingerprint = "";

  /** The periodic timers (evaluation, file watch), cancelled on close. */
  private final List<Long> periodic = new java.util.concurrent.CopyOnWriteArrayList<>();

  RulesService(
      Vertx vertx,
      Clock clock,
      Timers timers,
      WriteBarrier barrier,
      RollguardConfig config,
      SeriesRegistry series,
      MeterRegistry meters,
      Notifier notifier,
      WorkerExecutor storage,
      AlertStateStore stateStore,
      RolloutStateStore rolloutStore,
      SloStateStore sloStore,
      RolloutJournal journal,
      ReportStateStore reportStore,
      ClusterOwnership cluster) {
    this.cluster = cluster;
    this.journal = journal;
    this.reportStore = reportStore;
    this.notifier = notifier;
    this.sloStore = sloStore;
    this.rolloutStore = rolloutStore;
    this.evaluation =
        new Evaluation(series, config.evaluationInterval(), config.limits().maxFutureSkew(), clock);
    this.evaluationMetrics =
        new EvaluationMetrics(meters, evaluation, config.status().maxRuleGroups());
    this.history =
        new EvaluationHistory(
            config.status().historyRetention().toMillis(), config.status().historyMaxTracks());
    Gauge.builder("rollguard.history.bytes", history, EvaluationHistory::footprintBytes)
        .description("Heap the status page's history of rule values and SLOs holds")
        .register(meters);
    Gauge.builder("rollguard.history.untracked", history, EvaluationHistory::untracked)
        .description("Points not kept in the history because history.max_tracks was reached")
        .register(meters);
    this.engine = evaluation.rules();
    this.rollouts = evaluation.rollouts();
    this.slos = evaluation.slos();
    this.storage = storage;
    this.stateStore = stateStore;
    this.vertx = vertx;
    this.clock = clock;
    this.timers = timers;
    this.barrier = barrier;
    this.config = config;
    this.executor = vertx.createSharedWorkerExecutor("rollguard-rules", 1);
    this.reloadFailures =
        Counter.builder("rollguard.rules.reload.failures")
            .description("Rule file sets refused because they did not validate")
            .register(meters);
    this.outboxFailures =
        Counter.builder("rollguard.notifications.outbox.failures")
            .description(
                "Times alert transitions could not be written to the outbox (retried every"
                    + " evaluation; alert states are not saved meanwhile)")
            .register(meters);
    Gauge.builder("rollguard.notifications.unwritten", this, s -> s.backlog.unwritten())
        .description("Alert transitions waiting to be written to the outbox")
        .register(meters);
    this.tickTime =
        Timer.builder("rollguard.rules.evaluation")
            .description("Time to evaluate every due rule once")
            .register(meters);
    Gauge.builder("rollguard.rules.loaded", this, s -> s.status.activeRules())
        .description("Rules being evaluated")
        .register(meters);
    Gauge.builder("rollguard.rules.last.reload.ok", this, s -> s.status.ok() ? 1 : 0)
        .description("1 when the last load of the rule files was taken, 0 when it was refused")
        .register(meters);
    for (Phase phase : List.of(Phase.PENDING, Phase.FIRING)) {
      Gauge.builder(
              "rollguard.alerts",
              engine,
              e ->
                  e.snapshot().alerts().stream().filter(a -> a.getValue().phase() == phase).count())
          .description("Alert instances by state")
          .tag("state", phase.wireName())
          .register(meters);
    }
  }

  /**
   * Loads the rules once, restores {@code saved} states (from before a restart), and starts
   * evaluating and watching; completes when the first load did.
   */
  Future<LoadStatus> start(
      List<RuleEngine.SavedInstance> saved,
      List<RolloutEngine.SavedStage> stages,
      List<SloEngine.SavedSlo> savedSlos) {
    toRestore = List.copyOf(saved);
    stagesToRestore = List.copyOf(stages);
    slosToRestore = List.copyOf(savedSlos);
    return reload("start")
        .onComplete(
            ar -> {
              periodic.add(timers.every(config.evaluationInterval().toMillis(), this::tick));
              periodic.add(timers.every(WATCH_PERIOD_MILLIS, this::reloadIfChanged));
            });
  }

  RuleEngine.Snapshot snapshot() {
    return engine.snapshot();
  }

  LoadStatus status() {
    return status;
  }

  /** The transitions that could not be written to the outbox yet. */
  OutboxBacklog backlog() {
    return backlog;
  }

  /** The latest verdict of every rollout. */
  Map<String, Verdict> verdicts() {
    return rollouts.verdicts();
  }

  /** The recent history of rule values and SLOs, for the status page. */
  EvaluationHistory history() {
    return history;
  }

  SloEngine.Snapshot slos() {
    return slos.snapshot();
  }

  /** An SLO's good and total requests over the span before {@code now}; null if not evaluated. */
  io.rollguard.window.SloCounts.Totals sloSpanTotals(String slo, long now, long spanMillis) {
    return slos.spanTotals(slo, now, spanMillis);
  }

  /**
   * Sets a rollout's live stage and evaluates it at once (on the rules worker); the verdict right
   * after, or why the stage was refused.
   */
  Future<RolloutEngine.StageChange> setStage(String rollout, String stage) {
    return barrier
        .flushAll()
        .transform(
            ar ->
                executor.executeBlocking(
                    () -> {
                      long now = clock.wallTimeMillis();
                      RolloutEngine.StageChange change = rollouts.setStage(rollout, stage, now);
                      if (change.error() == null) {
                        LOG.info(() -> "rollout " + rollout + ": stage set to " + stage);
                        boolean moved =
                            change.events().stream()
                                .anyMatch(e -> e.kind() == AlertEvent.Kind.CHANGED);
                        if (moved) { // setting the live stage again is a no-op, not news
                          journal.stageSet(rollout, stage, change.verdict().attempt(), now);
                        }
                        journalVerdicts(now, moved);
                        hand(change.events(), now);
                        saveStages();
                      }
                      return change;
                    },
                    true));
  }

  /** Reloads now; the future holds the new status (check {@link LoadStatus#ok()}). */
  Future<LoadStatus> reload(String why) {
    return executor.executeBlocking(() -> load(why), true);
  }

  /** Serving a valid rule set: the last load was taken, or a refused one left older rules on. */
  boolean servingValidRules() {
    LoadStatus s = status;
    return s.ok() || s.activeSinceMillis() > 0;
  }

  /**
   * Stops evaluating and saves the SLO counts one last time (a graceful stop loses none); the
   * worker goes with the Vert.x instance.
   */
  Future<Void> close() {
    periodic.forEach(timers::cancel);
    return barrier
        .flushAll()
        .transform(flushed -> executor.executeBlocking(slos::saveState, true))
        .compose(
            saved ->
                saved.isEmpty()
                    ? Future.<Void>succeededFuture()
                    : store("SLO counts at shutdown", () -> sloStore.save(saved)))
        .transform(ar -> Future.succeededFuture());
  }

  private void tick() {
    if (rebuilding.get() > 0) {
      return; // cluster mode: a key is being rebuilt; its evaluation waits for all its data
    }
    if (cluster != null && !cluster.reading()) {
      return; // cluster mode: not heard from Kafka lately (an outage, or this node was paused)
    }
    if (!ticking.compareAndSet(false, true)) {
      return; // the previous evaluation is still running: skip rather than queue
    }
    // every sample accepted before the tick is in its window when the tick reads it
    barrier
        .flushAll()
        .transform(
            flushed ->
                executor.executeBlocking(
                    () -> {
                      long started = clock.monotonicTimeNanos();
                      long now = clock.wallTimeMillis();
                      Evaluation.Tick tick = evaluation.tick(now);
                      tickTime.record(Duration.ofNanos(clock.monotonicTimeNanos() - started));
                      evaluationMetrics.update();
                      history.record(engine.snapshot());
                      history.record(slos.snapshot());
                      hand(tick.all(), now); // also retries what the outbox refused before
                      journalVerdicts(now, false);
                      if (!tick.rollbacks().isEmpty()) {
                        saveStages();
                      }
                      if (!tick.burns().isEmpty()
                          || now - slosSavedAtMillis >= SLO_SAVE_PERIOD_MILLIS) {
                        saveSlos(now);
                      }
                      handOnStates();
                      return null;
                    },
                    true))
        .onComplete(
            ar -> {
              ticking.set(false);
              if (ar.failed()) {
                LOG.log(Level.SEVERE, "rule evaluation failed", ar.cause());
              }
            });
  }

  private void reloadIfChanged() {
    executor
        .executeBlocking(
            () -> {
              if (!currentFingerprint().equals(fingerprint)) {
                load("files changed");
              }
              return null;
            },
            true)
        .onFailure(e -> LOG.log(Level.SEVERE, "watching the rule files failed", e));
  }

  /** What the rule files look like on disk; an error that keeps them from being read counts too. */
  private String currentFingerprint() {
    try {
      return RuleFiles.fingerprint(RuleFiles.find(config.rules()));
    } catch (IOException | UncheckedIOException e) {
      return "unreadable: " + e;
    }
  }

  /**
   * Runs on the rules executor. A set that does not validate, cannot be read, or is empty while
   * rules run (a volume remounting, unless {@code allow_empty_rules}) is refused whole: the old
   * rules keep running, and the refusal is logged, counted, shown and sent as a warning.
   */
  private LoadStatus load(String why) {
    long now = clock.wallTimeMillis();
    List<Path> files;
    RuleLoader.Result result;
    fingerprint = currentFingerprint();
    try {
      files = RuleFiles.find(config.rules());
      result =
          RuleLoader.load(
              RuleFiles.read(files),
              config.limits().maxWindow(),
              config.receivers().isEmpty() ? null : config.receivers().keySet());
    } catch (IOException | UncheckedIOException e) {
      return refuse(
          why,
          config.rules().stream().map(Path::toString).toList(),
          Map.of(rulePaths(), List.of(rulePaths() + ": cannot read the rule files: " + e)),
          List.of(),
          now);
    }
    List<String> names = files.stream().map(Path::toString).toList();
    if (!result.valid()) {
      return refuse(why, names, byFile(result.problems()), result.warnings(), now);
    }
    if (cluster != null) {
      Problems pinning = new Problems();
      io.rollguard.rules.ClusterPinning.check(result, cluster.keyLabel(), pinning);
      if (!pinning.isEmpty()) {
        return refuse(why, names, byFile(pinning), result.warnings(), now);
      }
      keyOf = keysOf(result, cluster.keyLabel());
    }
    int running =
        engine.snapshot().rules().size()
            + rollouts.verdicts().size()
            + slos.snapshot().slos().size();
    if (isEmpty(result) && running > 0 && !config.allowEmptyRules()) {
      return refuse(
          why,
          names,
          Map.of(
              rulePaths(),
              List.of(
                  rulePaths()
                      + ": no rules, rollouts or SLOs found while "
                      + running
                      + " run; keeping them (a path that vanished or emptied for a moment?)."
                      + " Set allow_empty_rules: true if an empty rule set is meant.")),
          result.warnings(),
          now);
    }
    List<AlertEvent> events = new ArrayList<>(evaluation.load(result, now));
    restoreSaved(now);
    if (refusedFiles != null) {
      events.add(
          refusedFiles.toBuilder()
              .kind(AlertEvent.Kind.RESOLVED)
              .reason("the rule files load again (" + result.summary() + ")")
              .at(now)
              .build());
      refusedFiles = null;
    }
    hand(events, now);
    status =
        new LoadStatus(now, true, names, Map.of(), result.warnings(), result.rules().size(), now);
    LOG.info(
        () ->
            "rules loaded ("
                + why
                + "): "
                + result.summary()
                + " from "
                + files.size()
                + " file(s)");
    result.warnings().forEach(LOG::warning);
    return status;
  }

  /** The key each definition is pinned to (the pinning check has passed). */
  private static Map<String, String> keysOf(RuleLoader.Result result, String keyLabel) {
    Map<String, String> keys = new java.util.HashMap<>();
    result
        .rules()
        .forEach(r -> pin(keys, AlertEvent.Source.RULE, r.name(), r.selectSpec(), keyLabel));
    result
        .rollouts()
        .forEach(r -> pin(keys, AlertEvent.Source.ROLLOUT, r.name(), r.selectSpec(), keyLabel));
    result
        .slos()
        .forEach(r -> pin(keys, AlertEvent.Source.SLO, r.name(), r.selectSpec(), keyLabel));
    return Map.copyOf(keys);
  }

  private static void pin(
      Map<String, String> keys,
      AlertEvent.Source source,
      String name,
      Map<String, String> select,
      String keyLabel) {
    keys.put(ClusterOwnership.definitionKey(source, name), select.get(keyLabel));
  }

  /** Cluster mode: whether this node evaluates and sends for the definition named so. */
  private boolean owned(AlertEvent.Source source, String name) {
    if (cluster == null || source == AlertEvent.Source.RULE_FILES) {
      return true; // each node reports its own rule files
    }
    return inKeys(source, name, cluster::owns);
  }

  /**
   * Cluster mode: pauses evaluation while keys are rebuilt, then forgets what this node held of
   * {@code keys} and restores what the state topic holds for them (on the rules worker).
   */
  Future<Void> takeOver(
      java.util.function.Predicate<String> keys,
      List<RuleEngine.SavedInstance> instances,
      List<RolloutEngine.SavedStage> stages,
      List<SloEngine.SavedSlo> savedSlos) {
    return executor.executeBlocking(
        () -> {
          long now = clock.wallTimeMillis();
          forget(keys, now);
          int ignored =
              engine.restoreState(instances, now)
                  + rollouts.restoreState(stages, now)
                  + slos.restoreState(savedSlos, now);
          LOG.info(
              () ->
                  "cluster: restored "
                      + (instances.size() + stages.size() + savedSlos.size() - ignored)
                      + " state(s) from the state topic"
                      + (ignored > 0 ? "; " + ignored + " of definitions not here ignored" : ""));
          return null;
        },
        true);
  }

  /**
   * Cluster mode: after a time this node could not read its partitions (a Kafka outage), the alert
   * instances of {@code keys} hold their states through a warm-up of one window again, as after a
   * takeover: the gap in the data resolves nothing by itself.
   */
  Future<Void> rewarm(java.util.function.Predicate<String> keys) {
    return executor.executeBlocking(
        () -> {
          long now = clock.wallTimeMillis();
          List<RuleEngine.SavedInstance> held =
              engine.saveState().stream()
                  .filter(i -> inKeys(AlertEvent.Source.RULE, i.rule(), keys))
                  .toList();
          engine.reset(name -> inKeys(AlertEvent.Source.RULE, name, keys), now);
          engine.restoreState(held, now);
          return null;
        },
        true);
  }

  /** Cluster mode: forgets the states of definitions of {@code keys} (moved to another node). */
  Future<Void> release(java.util.function.Predicate<String> keys) {
    return executor.executeBlocking(
        () -> {
          forget(keys, clock.wallTimeMillis());
          return null;
        },
        true);
  }

  private void forget(java.util.function.Predicate<String> keys, long now) {
    engine.reset(name -> inKeys(AlertEvent.Source.RULE, name, keys), now);
    rollouts.reset(name -> inKeys(AlertEvent.Source.ROLLOUT, name, keys), now);
  }

  /**
   * Cluster mode: the key the definition named so is pinned to; null when no such definition is
   * loaded (or on a single node).
   */
  String keyOf(AlertEvent.Source source, String name) {
    return keyOf.get(ClusterOwnership.definitionKey(source, name));
  }

  /** Whether the definition named so is pinned to one of {@code keys}. */
  private boolean inKeys(
      AlertEvent.Source source, String name, java.util.function.Predicate<String> keys) {
    String key = keyOf.get(ClusterOwnership.definitionKey(source, name));
    return key != null && keys.test(key);
  }

  /** Cluster mode: holds evaluation back until {@link #resume} (a rebuild is running). */
  void pause() {
    rebuilding.incrementAndGet();
  }

  void resume() {
    rebuilding.decrementAndGet();
  }

  /** Cluster mode: hands the states on (rules worker); the cluster writes what changed. */
  private void handOnStates() {
    if (cluster != null && unwritten.isEmpty()) {
      cluster.statesChanged(
          new ClusterOwnership.States(
              engine.saveState(), rollouts.saveState(), lastSlos, notifier.unsettled(), keyOf));
    }
  }

  private static boolean isEmpty(RuleLoader.Result result) {
    return result.rules().isEmpty() && result.rollouts().isEmpty() && result.slos().isEmpty();
  }

  private String rulePaths() {
    return String.join(", ", config.rules().stream().map(Path::toString).toList());
  }

  /** Applies what was saved before a restart, at the first load that is taken. */
  private void restoreSaved(long now) {
    if (!stagesToRestore.isEmpty()) {
      int ignored = rollouts.restoreState(stagesToRestore, now);
      if (ignored > 0) {
        LOG.info(() -> ignored + " saved rollout stage(s) of rollouts or stages that are gone");
      }
      stagesToRestore = List.of();
    }
    if (!slosToRestore.isEmpty()) {
      int ignored = slos.restoreState(slosToRestore, now);
      int restored = slosToRestore.size() - ignored;
      LOG.info(
          () ->
              "restored the counts of "
                  + restored
                  + " SLO(s) from before the restart"
                  + (ignored > 0
                      ? "; " + ignored + " that are gone or count otherwise ignored"
                      : ""));
      slosToRestore = List.of();
      slosSavedAtMillis = now;
    }
    if (!toRestore.isEmpty()) {
      int ignored = engine.restoreState(toRestore, now);
      int restored = toRestore.size() - ignored;
      LOG.info(
          () ->
              "restored "
                  + restored
                  + " alert state(s) from before the restart"
                  + (ignored > 0 ? "; " + ignored + " of rules that are gone ignored" : ""));
      toRestore = List.of();
    }
  }

  /** Keeps the running rules, and says so everywhere it should be seen. */
  private LoadStatus refuse(
      String why,
      List<String> files,
      Map<String, List<String>> problems,
      List<String> warnings,
      long now) {
    reloadFailures.increment();
    status =
        new LoadStatus(
            now,
            false,
            files,
            problems,
            warnings,
            status.activeRules(),
            status.activeSinceMillis());
    String listed = String.join("\n", problems.values().stream().flatMap(List::stream).toList());
    LOG.warning(
        () -> "rule files refused (" + why + "); the previous rules keep running:\n" + listed);
    warnings.forEach(LOG::warning);
    if (refusedFiles == null) {
      refusedFiles = refusedFilesEvent(problems, now);
      hand(List.of(refusedFiles), now);
    }
    return status;
  }

  /** The warning a refused rule file set sends (SPEC 3.6), to the warning route. */
  private AlertEvent refusedFilesEvent(Map<String, List<String>> problems, long now) {
    List<String> all = problems.values().stream().flatMap(List::stream).toList();
    String first = String.join("; ", all.subList(0, Math.min(3, all.size())));
    return AlertEvent.builder(AlertEvent.Kind.FIRING, AlertEvent.Source.RULE_FILES, "rule-files")
        .severity(io.rollguard.rules.Severity.WARNING)
        .labels(Map.of("rule_files", rulePaths()))
        .annotations(
            Map.of(
                "summary",
                "Rule files refused ("
                    + all.size()
                    + " problem(s)); the previous rules keep running"))
        .expr("rule files validate")
        .value(all.size(), all.size() + " problem(s)")
        .reason(first + (all.size() > 3 ? "; and " + (all.size() - 3) + " more" : ""))
        .incident(IncidentIds.of("rule-files|" + rulePaths(), now), now, now)
        .at(now)
        .build();
  }

  private static Map<String, List<String>> byFile(Problems problems) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Problems.Problem p : problems.list()) {
      out.computeIfAbsent(p.position().file(), f -> new ArrayList<>()).add(p.toString());
    }
    return out;
  }

  /**
   * Runs on the rules executor after the engine moved: the transitions go to the notifier, which
   * makes them durable in the outbox, and only once it has are the alert states saved, so a state
   * file never says FIRING for a page that is not on disk. When the outbox cannot be written (full
   * disk), the transitions wait here in order, are retried at every evaluation, counted and shown;
   * the states are not saved while any wait.
   */
  private void hand(List<AlertEvent> events, long now) {
    if (cluster != null) {
      events = events.stream().filter(e -> owned(e.source(), e.rule())).toList();
    }
    if (!events.isEmpty()) {
      events.forEach(RulesService::logEvent);
      unwritten.add(List.copyOf(events));
    }
    flush(now);
  }

  private void flush(long now) {
    if (handing || unwritten.isEmpty()) {
      return;
    }
    handing = true;
    int batches = unwritten.size();
    List<AlertEvent> all = new ArrayList<>();
    unwritten.forEach(all::addAll);
    notifier
        .submit(all)
        .onComplete(
            ar ->
                executor.executeBlocking(
                    () -> {
                      submitted(ar.cause(), batches, all.size(), now);
                      return null;
                    },
                    true));
  }

  /** Back on the rules executor once the notifier said whether the transitions are durable. */
  private void submitted(Throwable failure, int batches, int events, long now) {
    handing = false;
    if (failure == null) {
      for (int i = 0; i < batches; i++) {
        unwritten.poll();
      }
      if (unwritten.isEmpty()) {
        backlog = OutboxBacklog.EMPTY;
        List<RuleEngine.SavedInstance> states = engine.saveState();
        store("alert states", () -> stateStore.save(states, clock.wallTimeMillis()));
        handOnStates();
      } else {
        flush(clock.wallTimeMillis());
      }
      return;
    }
    outboxFailures.increment();
    int waiting = unwritten.stream().mapToInt(List::size).sum();
    backlog =
        new OutboxBacklog(
            waiting,
            String.valueOf(failure),
            backlog.isEmpty() ? now : backlog.failingSinceMillis());
    LOG.log(
        Level.SEVERE,
        events
            + " alert transition(s) could not be written to the outbox; retrying at the next"
            + " evaluation (alert states are not saved until they are)",
        failure);
  }

  /**
   * Records each rollout's verdict in the journal (only changes are kept) and saves the journal
   * when anything was recorded ({@code changed}: something already was). Rules worker.
   */
  private void journalVerdicts(long now, boolean changed) {
    boolean recorded = changed;
    for (Verdict v : rollouts.verdicts().values()) {
      recorded |=
          journal.verdict(
              v.rollout().name(),
              v.decision().wireName(),
              v.stage(),
              v.attempt(),
              v.reasons(),
              now);
    }
    if (recorded) {
      List<RolloutJournal.Entry> entries = journal.save();
      store("rollout journal", () -> reportStore.saveJournal(entries));
    }
  }

  private void saveSlos(long now) {
    slosSavedAtMillis = now;
    List<SloEngine.SavedSlo> saved = slos.saveState();
    lastSlos = saved;
    if (saved.isEmpty()) {
      return;
    }
    store("SLO counts", () -> sloStore.save(saved));
  }

  private void saveStages() {
    List<RolloutEngine.SavedStage> stages = rollouts.saveState();
    store("rollout stages", () -> rolloutStore.save(stages));
  }

  /** A write of a state file. */
  @FunctionalInterface
  private interface StateWrite {
    void write() throws Exception;
  }

  /**
   * Writes a state file on the (ordered) storage worker; a failure is logged, naming {@code what}.
   */
  private Future<Void> store(String what, StateWrite write) {
    return storage
        .<Void>executeBlocking(
            () -> {
              write.write();
              return null;
            },
            true)
        .onFailure(t -> LOG.log(Level.SEVERE, "could not save " + what, t));
  }

  /** One log line per transition; the receivers tell the whole story. */
  private static void logEvent(AlertEvent e) {
    if (e.kind() == AlertEvent.Kind.CHANGED) {
      return; // setStage logs the stage change itself
    }
    LOG.log(
        e.kind() == AlertEvent.Kind.FIRING ? Level.WARNING : Level.INFO,
        () ->
            "alert "
                + e.kind().name().toLowerCase(java.util.Locale.ROOT)
                + ": "
                + e.rule()
                + " "
                + e.labels()
                + " value="
                + e.valueText()
                + " "
                + e.threshold()
                + (e.incidentId() == null ? "" : " incident=" + e.incidentId()));
  }
}
