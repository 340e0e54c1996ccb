package io.rollguard.slo;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.AlertStateMachine;
import io.rollguard.alerting.DefinitionEngine;
import io.rollguard.alerting.IncidentIds;
import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.Timing;
import io.rollguard.rules.Slo;
import io.rollguard.rules.Truth;
import io.rollguard.window.Selector;
import io.rollguard.window.SloCounts;
import io.rollguard.window.SloTaps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates SLOs: on each {@link #tick}, every SLO's attainment over its period, the error budget
 * left and the burn rates, and each alert tier's state. A tier fires while any of its window pairs
 * burns faster than its rate over both windows, and resolves as soon as none does (the short window
 * makes that quick). Tiers are ordered fastest first; a slower tier holds still, neither firing nor
 * resolving, while a faster one fires, so one burn pages once instead of paging and ticketing.
 *
 * <p><b>Concurrency.</b> Not thread-safe: owned by the thread that ticks it (the server's rules
 * worker). Readers use {@link #snapshot()}, immutable and published after each call. The counts
 * themselves are fed by ingest threads ({@link SloCounts} is thread-safe).
 */
public final class SloEngine extends DefinitionEngine<Slo, SloEngine.LiveSlo, SloEngine.SavedSlo> {

  /** The burn-rate windows every SLO reports (SPEC 3.5). */
  public static final List<Duration> REPORTED_WINDOWS =
      List.of(
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(1),
          Duration.ofHours(2),
          Duration.ofHours(6),
          Duration.ofDays(1),
          Duration.ofDays(3));

  private static final Timing AT_ONCE = new Timing(0, 1, 0);

  /** PASS: attainment meets the objective; FAIL: it does not; NO_DATA: no requests yet. */
  public enum Compliance {
    PASS,
    FAIL,
    NO_DATA
  }

  /** A burn rate over one window ({@code NaN} below the SLO's {@code min_samples}). */
  public record Burn(Duration window, double rate, long good, long total) {}

  /** One alert tier as readers see it; {@code suppressed} while a faster tier fires. */
  public record TierStatus(
      Slo.BurnTier tier, Phase phase, boolean suppressed, long firedAtMillis, String incidentId) {}

  /**
   * One SLO as readers see it: over its period so far ({@code attainment} NaN without requests),
   * the budget left as a share of the whole budget (negative when overspent), the reported burn
   * rates and the tiers.
   */
  public record SloStatus(
      Slo slo,
      long good,
      long total,
      double attainment,
      double budgetRemaining,
      Compliance compliance,
      List<Burn> burns,
      List<TierStatus> tiers) {}

  /** Every SLO as of {@code atMillis}. */
  public record Snapshot(long atMillis, List<SloStatus> slos) {}

  /**
   * An SLO's counts and firing tiers as persisted across restarts; {@code counting} says what was
   * counted (selector, good, period), so counts are restored only into an SLO that counts the same.
   */
  public record SavedSlo(
      String name, String counting, List<long[]> counts, Map<String, InstanceState> tiers) {}

  private final SloTaps taps;
  private final long aheadMillis;
  private volatile Snapshot snapshot = new Snapshot(0, List.of());

  /** Each SLO's counts as of the last tick, for readers on other threads. */
  private volatile Map<String, SloCounts> published = Map.of();

  /**
   * @param taps where request series find the counts to feed
   * @param aheadMillis how far ahead of now samples may be stamped ({@code max_future_skew})
   */
  public SloEngine(SloTaps taps, Duration ahead) {
    this.taps = taps;
    this.aheadMillis = ahead.toMillis();
  }

  /**
   * Replaces the SLOs. An SLO that counts the same requests the same way keeps its counts, and a
   * tier of the same name keeps its state; tiers that are gone resolve (the returned events).
   */
  public List<AlertEvent> setSlos(List<Slo> slos, long nowMillis) {
    List<AlertEvent> events = replace(slos, nowMillis);
    taps.set(runtimes().stream().map(rt -> rt.counts).toList());
    return events;
  }

  @Override
  protected String nameOf(Slo slo) {
    return slo.name();
  }

  @Override
  protected LiveSlo start(Slo slo, long nowMillis) {
    return new LiveSlo(slo, counts(slo));
  }

  @Override
  protected LiveSlo carry(Slo slo, LiveSlo old, long nowMillis, List<AlertEvent> events) {
    LiveSlo rt = new LiveSlo(slo, old.slo.sameCounting(slo) ? old.counts : counts(slo));
    old.states.forEach(
        (tier, state) -> {
          if (slo.tiers().stream().anyMatch(t -> t.name().equals(tier))) {
            rt.states.put(tier, state);
          } else {
            SloText.resolvedAway(old.slo, tier, state, "the tier was removed", nowMillis, events);
          }
        });
    return rt;
  }

  @Override
  protected void retire(LiveSlo gone, long nowMillis, List<AlertEvent> events) {
    gone.states.forEach(
        (tier, state) ->
            SloText.resolvedAway(gone.slo, tier, state, "the SLO was removed", nowMillis, events));
  }

  @Override
  protected List<SavedSlo> save(LiveSlo rt) {
    return List.of(
        new SavedSlo(rt.slo.name(), counting(rt.slo), rt.counts.export(), Map.copyOf(rt.states)));
  }

  @Override
  protected String savedName(SavedSlo saved) {
    return saved.name();
  }

  /**
   * Counts go back into an SLO that counts the same way, and tier states into tiers that still
   * exist, so a firing tier neither pages again nor is forgotten.
   */
  @Override
  protected boolean restore(LiveSlo rt, SavedSlo s, long nowMillis) {
    if (!counting(rt.slo).equals(s.counting())) {
      return false;
    }
    rt.counts.restore(s.counts());
    s.tiers()
        .forEach(
            (tier, state) -> {
              if (rt.slo.tiers().stream().anyMatch(t -> t.name().equals(tier))) {
                rt.states.put(tier, state);
              }
            });
    return true;
  }

  private static String counting(Slo slo) {
    return new java.util.TreeMap<>(slo.selectSpec())
        + "|"
        + slo.good().requireOk()
        + "|"
        + slo.good().latencyLimitMicros()
        + "|"
        + slo.period().toMillis();
  }

  /** The receivers of an SLO's tier (empty: route by severity), or null when unknown. */
  public List<String> receivers(String slo, String tier) {
    for (LiveSlo rt : runtimes()) {
      if (rt.slo.name().equals(slo)) {
        for (Slo.BurnTier t : rt.slo.tiers()) {
          if (t.name().equals(tier)) {
            return t.receivers();
          }
        }
      }
    }
    return null;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** Evaluates every SLO at {@code nowMillis}; returns the tiers' transitions. */
  public List<AlertEvent> tick(long nowMillis) {
    List<AlertEvent> events = new ArrayList<>();
    List<SloStatus> statuses = new ArrayList<>();
    for (LiveSlo rt : runtimes()) {
      statuses.add(evaluate(rt, nowMillis, events));
    }
    snapshot = new Snapshot(nowMillis, List.copyOf(statuses));
    Map<String, SloCounts> counts = new LinkedHashMap<>();
    for (LiveSlo rt : runtimes()) {
      counts.put(rt.slo.name(), rt.counts);
    }
    published = Map.copyOf(counts);
    return events;
  }

  /**
   * Good and total requests of {@code slo} over the {@code spanMillis} before {@code nowMillis} (at
   * most its period: longer is not kept), for reports; null for an SLO not evaluated yet. Any
   * thread.
   */
  public SloCounts.Totals spanTotals(String slo, long nowMillis, long spanMillis) {
    SloCounts c = published.get(slo);
    return c == null ? null : c.totals(nowMillis, spanMillis);
  }

  private SloStatus evaluate(LiveSlo rt, long now, List<AlertEvent> events) {
    Slo slo = rt.slo;
    Map<Duration, Burn> burns = new HashMap<>();
    List<Burn> reported = new ArrayList<>();
    for (Duration w : REPORTED_WINDOWS) {
      if (w.compareTo(slo.period()) <= 0) {
        reported.add(burn(rt, w, now, burns));
      }
    }
    List<TierStatus> tiers = new ArrayList<>();
    boolean fasterFiring = false;
    for (Slo.BurnTier tier : slo.tiers()) {
      InstanceState before = rt.states.getOrDefault(tier.name(), InstanceState.INACTIVE);
      Tripped tripped = tripped(rt, tier, now, burns);
      AlertStateMachine.Step step =
          fasterFiring
              ? new AlertStateMachine.Step(before, null)
              : AlertStateMachine.step(
                  before,
                  tripped.truth,
                  now,
                  AT_ONCE,
                  firedAt -> IncidentIds.of(slo.name() + "|" + tier.name(), firedAt));
      InstanceState after = step.state();
      if (after.phase() == Phase.INACTIVE) {
        rt.states.remove(tier.name());
      } else {
        rt.states.put(tier.name(), after);
      }
      if (step.transition() == Phase.FIRING || step.transition() == Phase.INACTIVE) {
        InstanceState episode = step.transition() == Phase.INACTIVE ? before : after;
        events.add(
            event(rt, tier, tripped, episode, step.transition() == Phase.FIRING, now, burns));
      }
      tiers.add(
          new TierStatus(
              tier, after.phase(), fasterFiring, after.firedAtMillis(), after.incidentId()));
      fasterFiring |= after.phase() == Phase.FIRING;
    }
    SloCounts.Totals period = rt.counts.totals(now, slo.period().toMillis());
    double attainment = period.total() == 0 ? Double.NaN : (double) period.good() / period.total();
    double budgetRemaining =
        period.total() == 0
            ? 1.0
            : 1.0 - (double) period.bad() / (slo.errorBudget() * period.total());
    Compliance compliance =
        period.total() == 0
            ? Compliance.NO_DATA
            : attainment >= slo.objective() ? Compliance.PASS : Compliance.FAIL;
    return new SloStatus(
        slo,
        period.good(),
        period.total(),
        attainment,
        budgetRemaining,
        compliance,
        List.copyOf(reported),
        List.copyOf(tiers));
  }

  private AlertEvent event(
      LiveSlo rt,
      Slo.BurnTier tier,
      Tripped tripped,
      InstanceState episode,
      boolean firing,
      long now,
      Map<Duration, Burn> burns) {
    List<Burn> windows = new ArrayList<>();
    Map<Duration, Boolean> seen = new LinkedHashMap<>();
    for (Slo.BurnWindow pair : tier.windows()) {
      for (Duration w : List.of(pair.longWindow(), pair.shortWindow())) {
        if (seen.put(w, true) == null) {
          windows.add(burn(rt, w, now, burns));
        }
      }
    }
    Slo.BurnWindow pair = tripped.pair == null ? tier.windows().get(0) : tripped.pair;
    return SloText.tierEvent(
        rt.slo, tier, pair, tripped.longBurn, tripped.shortBurn, windows, episode, firing, now);
  }

  /** What a tier's windows say now: the first pair that trips, else the first pair. */
  private record Tripped(Truth truth, Slo.BurnWindow pair, Burn longBurn, Burn shortBurn) {}

  private Tripped tripped(LiveSlo rt, Slo.BurnTier tier, long now, Map<Duration, Burn> burns) {
    Tripped first = null;
    boolean allData = true;
    for (Slo.BurnWindow pair : tier.windows()) {
      Burn longBurn = burn(rt, pair.longWindow(), now, burns);
      Burn shortBurn = burn(rt, pair.shortWindow(), now, burns);
      if (longBurn.rate() > pair.burnRate() && shortBurn.rate() > pair.burnRate()) {
        return new Tripped(Truth.TRUE, pair, longBurn, shortBurn);
      }
      allData &= !Double.isNaN(longBurn.rate()) && !Double.isNaN(shortBurn.rate());
      if (first == null) {
        first = new Tripped(Truth.FALSE, pair, longBurn, shortBurn);
      }
    }
    if (first == null) {
      return new Tripped(Truth.NO_DATA, null, null, null);
    }
    return allData
        ? first
        : new Tripped(Truth.NO_DATA, first.pair, first.longBurn, first.shortBurn);
  }

  private Burn burn(LiveSlo rt, Duration window, long now, Map<Duration, Burn> cache) {
    return cache.computeIfAbsent(
        window,
        w -> {
          SloCounts.Totals t = rt.counts.totals(now, w.toMillis());
          double rate =
              t.total() == 0 || t.total() < rt.slo.minSamples()
                  ? Double.NaN
                  : ((double) t.bad() / t.total()) / rt.slo.errorBudget();
          return new Burn(w, rate, t.good(), t.total());
        });
  }

  private SloCounts counts(Slo slo) {
    return new SloCounts(
        Selector.parse(slo.selectSpec()),
        slo.good().requireOk(),
        slo.good().latencyLimitMicros(),
        slo.period().toMillis(),
        aheadMillis);
  }

  @Override
  protected void publish(long atMillis) {
    List<SloStatus> kept = new ArrayList<>();
    for (SloStatus s : snapshot.slos()) {
      if (runtime(s.slo().name()) != null) {
        kept.add(s);
      }
    }
    snapshot = new Snapshot(atMillis, List.copyOf(kept));
  }

  /** An SLO with its counts and its tiers' states. */
  static final class LiveSlo {
    final Slo slo;
    final SloCounts counts;
    final Map<String, InstanceState> states = new LinkedHashMap<>();

    LiveSlo(Slo slo, SloCounts counts) {
      this.slo = slo;
      this.counts = counts;
    }
  }
}
