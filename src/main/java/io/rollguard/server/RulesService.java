package io.rollguard.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.Clock;
import io.rollguard.clock.Timers;
import io.rollguard.config.Problems;
import io.rollguard.config.RollguardConfig;
import io.rollguard.evaluation.Evaluation;
import io.rollguard.notify.Notifier;
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
import java.nio.file.Path;
import java.time.Duration;
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
  private final RollguardConfig config;
  private final Evaluation evaluation;
  private final EvaluationMetrics evaluationMetrics;
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
  private final SloEngine slos;
  private volatile LoadStatus status = LoadStatus.NONE;

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
      RollguardConfig config,
      SeriesRegistry series,
      MeterRegistry meters,
      Notifier notifier,
      WorkerExecutor storage,
      AlertStateStore stateStore,
      RolloutStateStore rolloutStore,
      SloStateStore sloStore) {
    this.notifier = notifier;
    this.sloStore = sloStore;
    this.rolloutStore = rolloutStore;
    this.evaluation =
        new Evaluation(series, config.evaluationInterval(), config.limits().maxFutureSkew(), clock);
    this.evaluationMetrics = new EvaluationMetrics(meters, evaluation);
    this.engine = evaluation.rules();
    this.rollouts = evaluation.rollouts();
    this.slos = evaluation.slos();
    this.storage = storage;
    this.stateStore = stateStore;
    this.vertx = vertx;
    this.clock = clock;
    this.timers = timers;
    this.config = config;
    this.executor = vertx.createSharedWorkerExecutor("rollguard-rules", 1);
    this.reloadFailures =
        Counter.builder("rollguard.rules.reload.failures")
            .description("Rule file sets refused because they did not validate")
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

  /** The latest verdict of every rollout. */
  Map<String, Verdict> verdicts() {
    return rollouts.verdicts();
  }

  SloEngine.Snapshot slos() {
    return slos.snapshot();
  }

  /**
   * Sets a rollout's live stage and evaluates it at once (on the rules worker); the verdict right
   * after, or why the stage was refused.
   */
  Future<RolloutEngine.StageChange> setStage(String rollout, String stage) {
    return executor.executeBlocking(
        () -> {
          long now = clock.wallTimeMillis();
          RolloutEngine.StageChange change = rollouts.setStage(rollout, stage, now);
          if (change.error() == null) {
            LOG.info(() -> "rollout " + rollout + ": stage set to " + stage);
            hand(change.events(), now);
            saveStages();
          }
          return change;
        },
        true);
  }

  /** Reloads now; the future holds the new status (check {@link LoadStatus#ok()}). */
  Future<LoadStatus> reload(String why) {
    return executor.executeBlocking(() -> load(why), true);
  }

  /**
   * Stops evaluating and saves the SLO counts one last time (a graceful stop loses none); the
   * worker goes with the Vert.x instance.
   */
  Future<Void> close() {
    periodic.forEach(timers::cancel);
    return executor
        .executeBlocking(slos::saveState, true)
        .compose(
            saved ->
                saved.isEmpty()
                    ? Future.<Void>succeededFuture()
                    : store("SLO counts at shutdown", () -> sloStore.save(saved)))
        .transform(ar -> Future.succeededFuture());
  }

  private void tick() {
    if (!ticking.compareAndSet(false, true)) {
      return; // the previous evaluation is still running: skip rather than queue
    }
    executor
        .executeBlocking(
            () -> {
              long started = clock.monotonicTimeNanos();
              long now = clock.wallTimeMillis();
              Evaluation.Tick tick = evaluation.tick(now);
              tickTime.record(Duration.ofNanos(clock.monotonicTimeNanos() - started));
              evaluationMetrics.update();
              hand(tick.all(), now);
              if (!tick.rollbacks().isEmpty()) {
                saveStages();
              }
              if (!tick.burns().isEmpty() || now - slosSavedAtMillis >= SLO_SAVE_PERIOD_MILLIS) {
                saveSlos(now);
              }
              return null;
            },
            true)
        .onComplete(
            ar -> {
              ticking.set(false);
              if (ar.failed()) {
                LOG.log(Level.SEVERE, "rule evaluation failed", ar.cause());
              }
            });
  }

  private void reloadIfChanged() {
    executor.executeBlocking(
        () -> {
          if (!RuleFiles.fingerprint(RuleFiles.find(config.rules())).equals(fingerprint)) {
            load("files changed");
          }
          return null;
        },
        true);
  }

  /** Runs on the rules executor. */
  private LoadStatus load(String why) throws Exception {
    List<Path> files = RuleFiles.find(config.rules());
    fingerprint = RuleFiles.fingerprint(files);
    RuleLoader.Result result =
        RuleLoader.load(
            RuleFiles.read(files),
            config.limits().maxWindow(),
            config.receivers().isEmpty() ? null : config.receivers().keySet());
    long now = clock.wallTimeMillis();
    List<String> names = files.stream().map(Path::toString).toList();
    if (result.valid()) {
      List<AlertEvent> events = evaluation.load(result, now);
      if (!stagesToRestore.isEmpty()) {
        int ignored = rollouts.restoreStages(stagesToRestore);
        if (ignored > 0) {
          LOG.info(() -> ignored + " saved rollout stage(s) of rollouts or stages that are gone");
        }
        stagesToRestore = List.of();
      }
      if (!slosToRestore.isEmpty()) {
        int ignored = slos.restoreState(slosToRestore);
        LOG.info(
            () ->
                "restored the counts of "
                    + (slosToRestore.size() - ignored)
                    + " SLO(s) from before the restart"
                    + (ignored > 0
                        ? "; " + ignored + " that are gone or count otherwise ignored"
                        : ""));
        slosToRestore = List.of();
        slosSavedAtMillis = now;
      }
      if (!toRestore.isEmpty()) {
        int ignored = engine.restoreStates(toRestore, now);
        int restored = toRestore.size() - ignored;
        LOG.info(
            () ->
                "restored "
                    + restored
                    + " alert state(s) from before the restart"
                    + (ignored > 0 ? "; " + ignored + " of rules that are gone ignored" : ""));
        toRestore = List.of();
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
    } else {
      reloadFailures.increment();
      status =
          new LoadStatus(
              now,
              false,
              names,
              byFile(result.problems()),
              result.warnings(),
              status.activeRules(),
              status.activeSinceMillis());
      LOG.warning(
          () ->
              "rule files refused ("
                  + why
                  + "); the previous rules keep running:\n"
                  + result.problems().format());
    }
    result.warnings().forEach(LOG::warning);
    return status;
  }

  private static Map<String, List<String>> byFile(Problems problems) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Problems.Problem p : problems.list()) {
      out.computeIfAbsent(p.position().file(), f -> new ArrayList<>()).add(p.toString());
    }
    return out;
  }

  /**
   * Runs on the rules executor after the engine moved: the transitions go to the notifier (which
   * makes them durable in the outbox) and then the states are saved, in that order on the storage
   * executor, so a crash in between is mended from the outbox at the next start.
   */
  private void hand(List<AlertEvent> events, long now) {
    if (events.isEmpty()) {
      return;
    }
    events.forEach(RulesService::logEvent);
    notifier.submit(events, evaluation.receivers());
    List<RuleEngine.SavedInstance> states = engine.saveStates();
    store("alert states", () -> stateStore.save(states, now));
  }

  private void saveSlos(long now) {
    slosSavedAtMillis = now;
    List<SloEngine.SavedSlo> saved = slos.saveState();
    if (saved.isEmpty()) {
      return;
    }
    store("SLO counts", () -> sloStore.save(saved));
  }

  private void saveStages() {
    List<RolloutEngine.SavedStage> stages = rollouts.saveStages();
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
