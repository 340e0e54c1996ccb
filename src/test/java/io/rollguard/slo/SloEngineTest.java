package io.rollguard.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.Phase;
import io.rollguard.rules.Slo;
import io.rollguard.rules.ValidRuleFile;
import io.rollguard.window.Labels;
import io.rollguard.window.Latency;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SloEngineTest {

  private static final long T0 = 1_763_900_000_000L; // a whole 10 s
  private static final long STEP = 10_000;
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  private static final Labels CHECKOUT = Labels.of(Map.of("service", "checkout"));

  private final SeriesRegistry registry =
      new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
  private final SloEngine engine = new SloEngine(registry.sloTaps(), Duration.ofSeconds(10));
  private final LatencyScratch scratch = new LatencyScratch();
  private final RequestSamples samples = new RequestSamples();
  private final List<String> timeline = new ArrayList<>();

  private static List<Slo> slos(String yaml) {
    return ValidRuleFile.load(yaml).slos();
  }

  private static final String AVAILABILITY =
      """
      slos:
        - name: checkout-availability
          select: {service: checkout}
          objective: 99.9%
          period: 30d
          good: ok and latency < 300ms
      """;

  /** 100 requests every 10 s from {@code from} to {@code to}, {@code bad} of them failed. */
  private void traffic(long from, long to, int bad, boolean tick) {
    for (long t = from; t < to; t += STEP) {
      samples.clear();
      for (int i = 0; i < 100; i++) {
        samples.add(t + i, Latency.millisToMicros(50), i < bad);
      }
      registry.requests(CHECKOUT).record(samples, 0, samples.size(), t, scratch);
      if (tick) {
        for (AlertEvent e : engine.tick(t + STEP - 1)) {
          timeline.add(
              (e.atMillis() + 1 - T0) / MINUTE
                  + "m "
                  + e.labels().get("tier")
                  + " "
                  + e.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
  }

  @Test
  void attainmentBudgetAndBurnRatesFollowTheCounts() {
    engine.setSlos(slos(AVAILABILITY), T0);
    // An hour at 0.1% bad would be exactly on budget; here 1 in 100 fails for 10 min (10x).
    traffic(T0 - HOUR, T0 - 10 * MINUTE, 0, false);
    traffic(T0 - 10 * MINUTE, T0, 1, false);
    // Slow requests are bad too: one at 300 ms (not below the limit).
    samples.clear();
    samples.add(T0 - 1, Latency.millisToMicros(300), false);
    registry.requests(CHECKOUT).record(samples, 0, 1, T0, scratch);

    engine.tick(T0);

    SloEngine.SloStatus s = engine.snapshot().slos().get(0);
    assertThat(s.total()).isEqualTo(360 * 100 + 1);
    assertThat(s.good()).isEqualTo(s.total() - 60 - 1);
    assertThat(s.attainment()).isCloseTo(1 - 61.0 / 36_001, within(1e-12));
    // 61 bad of an allowance of 36.001: the budget is overspent by 69%.
    assertThat(s.budgetRemaining()).isCloseTo(1 - 61 / 36.001, within(1e-9));
    assertThat(s.compliance()).isEqualTo(SloEngine.Compliance.FAIL);
    assertThat(s.burns())
        .extracting(b -> b.window().toString())
        .containsExactly("PT5M", "PT30M", "PT1H", "PT2H", "PT6H", "PT24H", "PT72H");
    // 5 min: the 30 slices of 10 s up to and with the current one hold 29 batches at 1% bad,
    // and the slow request.
    assertThat(s.burns().get(0).rate()).isCloseTo((30.0 / 2901) / 0.001, within(1e-9));
  }

  @Test
  void aFastBurnPagesAndTheTicketTierStaysQuietUntilThePageResolves() {
    engine.setSlos(slos(AVAILABILITY), T0);
    // A day of clean traffic, then 2% of requests fail (20x burn) for 4 hours, then clean again.
    traffic(T0 - 24 * HOUR, T0, 0, false);
    traffic(T0, T0 + 4 * HOUR, 2, true);
    traffic(T0 + 4 * HOUR, T0 + 5 * HOUR, 0, true);

    // 1h burn passes 14.4x after 43.2 min (2% x 43.2/60 = 1.44%), the 5m one at once: page.
    // The ticket tier (3x over 1d and 2h) trips after 3.6 h, but holds still while the page fires.
    // After the errors stop, 5m falls under 14.4x within 2 min, but the page's second pair (6x
    // over 6h and 30m) holds until 30m is under 0.6% bad, 21 min later: then the page resolves,
    // and the slow burn still shows in 1d and 2h: now the ticket fires.
    assertThat(timeline)
        .containsExactly("43m page firing", "261m page resolved", "261m ticket firing");
    SloEngine.TierStatus ticket = engine.snapshot().slos().get(0).tiers().get(1);
    assertThat(ticket.phase()).isEqualTo(Phase.FIRING);
  }

  @Test
  void theSlowerTierIsReportedAsSuppressedWhileAFasterOneFires() {
    engine.setSlos(slos(AVAILABILITY), T0);
    traffic(T0 - 24 * HOUR, T0, 0, false);
    traffic(T0, T0 + 4 * HOUR, 2, true);

    List<SloEngine.TierStatus> tiers = engine.snapshot().slos().get(0).tiers();
    assertThat(tiers.get(0).phase()).isEqualTo(Phase.FIRING);
    assertThat(tiers.get(1).phase()).isEqualTo(Phase.INACTIVE);
    assertThat(tiers.get(1).suppressed()).isTrue();
  }

  @Test
  void ownTiersAndMinSamplesDecideAndAnEmptyTierListNeverAlerts() {
    engine.setSlos(
        slos(
            """
            slos:
              - name: fast-only
                select: {service: checkout}
                objective: 99%
                min_samples: 500
                tiers:
                  - name: page
                    windows: [{long: 10m, short: 1m, burn_rate: 10}]
              - name: silent
                select: {service: checkout}
                objective: 99%
                tiers: []
            """),
        T0);

    // Everything fails, but 40 s hold only 400 requests: under min_samples, no data, no alert.
    traffic(T0, T0 + 40_000, 100, true);
    assertThat(timeline).isEmpty();
    assertThat(engine.snapshot().slos().get(0).burns().get(0).rate()).isNaN();
    // The fifth batch brings both windows to 500 requests: the tier fires.
    traffic(T0 + 40_000, T0 + MINUTE, 100, true);
    assertThat(timeline).containsExactly("0m page firing");
    assertThat(engine.snapshot().slos().get(1).tiers()).isEmpty();
  }

  @Test
  void aReloadKeepsCountsAndFiringTiersAndResolvesWhatWasRemoved() {
    List<Slo> slos = slos(AVAILABILITY);
    engine.setSlos(slos, T0);
    traffic(T0 - HOUR, T0, 100, true);
    assertThat(timeline).containsExactly("-59m page firing");

    // The same SLO again (say, a comment changed): counts and the firing page stay.
    assertThat(engine.setSlos(slos(AVAILABILITY), T0)).isEmpty();
    engine.tick(T0);
    SloEngine.SloStatus kept = engine.snapshot().slos().get(0);
    assertThat(kept.total()).isEqualTo(36_000);
    assertThat(kept.tiers().get(0).phase()).isEqualTo(Phase.FIRING);

    // The SLO is removed: its page resolves, saying why.
    List<AlertEvent> gone = engine.setSlos(List.of(), T0 + STEP);
    assertThat(gone)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.RESOLVED);
              assertThat(e.reason()).isEqualTo("the SLO was removed");
              assertThat(e.incidentId()).isNotBlank();
            });
    assertThat(registry.sloTaps()).isNotNull();
    assertThat(engine.snapshot().slos()).isEmpty();
  }

  @Test
  void aFiringEventExplainsTheBurn() {
    engine.setSlos(slos(AVAILABILITY), T0);
    List<AlertEvent> events = new ArrayList<>();
    traffic(T0 - 24 * HOUR, T0, 0, false);
    for (long t = T0; t < T0 + HOUR && events.isEmpty(); t += STEP) {
      traffic(t, t + STEP, 2, false);
      events.addAll(engine.tick(t + STEP - 1));
    }

    AlertEvent page = events.get(0);
    assertThat(page.rule()).isEqualTo("checkout-availability");
    assertThat(page.labels())
        .isEqualTo(Map.of("service", "checkout", "slo", "checkout-availability", "tier", "page"));
    assertThat(page.source()).isEqualTo(AlertEvent.Source.SLO);
    assertThat(page.expr()).isEqualTo("burn rate > 14.4x over 1h and 5m, or > 6x over 6h and 30m");
    assertThat(page.window()).isEqualTo("1h");
    assertThat(page.threshold()).isEqualTo("> 14.4x");
    assertThat(page.value()).isGreaterThan(14.4);
    assertThat(page.reason())
        .startsWith("the error budget burns 14.")
        .contains("over 1h and 20x over 5m, above 14.4x")
        .contains("a whole 30d budget lasts 2d1h");
    assertThat(page.readings())
        .extracting(r -> r.expr())
        .containsExactly("burn_rate(1h)", "burn_rate(5m)", "burn_rate(6h)", "burn_rate(30m)");
    assertThat(page.readings().get(1).samples()).isEqualTo(3_000);
    assertThat(Set.of(page.severity().wireName())).containsExactly("critical");
  }

  @Test
  void aFiringTierAndItsCountsSurviveARestartWithoutPagingAgain() {
    engine.setSlos(slos(AVAILABILITY), T0);
    traffic(T0 - 24 * HOUR, T0, 0, false);
    traffic(T0, T0 + HOUR, 2, true);
    assertThat(timeline).containsExactly("43m page firing");
    List<SloEngine.SavedSlo> saved = engine.saveState();
    String incident = engine.snapshot().slos().get(0).tiers().get(0).incidentId();

    // A new process: fresh registry and engine, the saved state restored before samples arrive.
    SeriesRegistry fresh = new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
    SloEngine restarted = new SloEngine(fresh.sloTaps(), Duration.ofSeconds(10));
    restarted.setSlos(slos(AVAILABILITY), T0 + HOUR);
    assertThat(restarted.restoreState(saved, T0)).isZero();

    // Still burning: the page stays firing with its incident, and nothing is sent again.
    assertThat(restarted.tick(T0 + HOUR + STEP)).isEmpty();
    SloEngine.SloStatus s = restarted.snapshot().slos().get(0);
    assertThat(s.total()).isEqualTo(25 * 360 * 100);
    assertThat(s.tiers().get(0).phase()).isEqualTo(Phase.FIRING);
    assertThat(s.tiers().get(0).incidentId()).isEqualTo(incident);
    // An SLO that now counts otherwise does not take the old counts.
    SloEngine other = new SloEngine(fresh.sloTaps(), Duration.ofSeconds(10));
    other.setSlos(slos(AVAILABILITY.replace("300ms", "500ms")), T0 + HOUR);
    assertThat(other.restoreState(saved, T0)).isEqualTo(1);
  }
}
