package io.rollguard.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.ManualClock;
import io.rollguard.rules.Rule;
import io.rollguard.rules.ValidRuleFile;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine over real windows on a manual clock, one evaluation a second. */
class RuleEngineTest {

  private static final long T0 = 1_763_900_000_000L;

  private final ManualClock clock = new ManualClock(T0);
  private final SeriesRegistry registry =
      new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
  private final RuleEngine engine = new RuleEngine(registry, Duration.ofSeconds(1), clock);
  private final LatencyScratch scratch = new LatencyScratch();
  private final List<AlertEvent> events = new ArrayList<>();

  private static List<Rule> rules(String yaml) {
    return ValidRuleFile.load(yaml).rules();
  }

  /** Pushes {@code n} requests of {@code latencyMillis} for {@code labels} at the clock's time. */
  private void push(Labels labels, int n, double latencyMillis, int failed) {
    RequestSamples samples = new RequestSamples();
    for (int i = 0; i < n; i++) {
      samples.add(clock.wallTimeMillis(), Math.round(latencyMillis * 1000), i < failed);
    }
    registry.requests(labels).record(samples, 0, n, clock.wallTimeMillis(), scratch);
  }

  /** Moves one second on and evaluates. */
  private void second() {
    clock.advance(Duration.ofSeconds(1));
    events.addAll(engine.tick(clock.wallTimeMillis()));
  }

  private List<String> kinds() {
    return events.stream().map(e -> e.kind() + "@" + (e.atMillis() - T0) / 1000).toList();
  }

  @Test
  void aBreachGoesPendingFiresAndResolvesWithOneIncident() {
    engine.setRules(
        rules(
            """
            rules:
              - name: canary-p95
                select: {service: checkout, stage: canary}
                window: 10s
                when: p95 > 500ms
                for: 3s
                severity: critical
                labels: {team: payments}
                annotations: {summary: "{{service}} {{stage}} p95 {{value}}"}
            """),
        clock.wallTimeMillis());
    Labels canary = Labels.of("service", "checkout", "stage", "canary");
    // t=1..5s: healthy, 100 ms.
    for (int s = 0; s < 5; s++) {
      push(canary, 100, 100, 0);
      second();
    }
    assertThat(events).isEmpty();
    // Samples are pushed at t=5..14s, each evaluated one second later: 900 ms.
    for (int s = 0; s < 10; s++) {
      push(canary, 100, 900, 0);
      second();
    }
    // At t=6s the first slow second is a sixth of the window, more than 5%: pending, and firing
    // once that has held for 3 s.
    assertThat(kinds()).containsExactly("PENDING@6", "FIRING@9");
    AlertEvent firing = events.get(1);
    assertThat(firing.rule()).isEqualTo("canary-p95");
    assertThat(firing.labels()).containsEntry("team", "payments");
    // 900 ms reads back as its bucket's median.
    assertThat(firing.annotations()).containsEntry("summary", "checkout canary p95 899.1ms");
    assertThat(firing.incidentId()).hasSize(16);
    assertThat(firing.startedAtMillis()).isEqualTo(T0 + 6_000);
    assertThat(engine.snapshot().alerts()).hasSize(1);
    // t=16..27s: healthy again. The last slow slice is t=14s; at t=24s the 10 s window (slices
    // 15..24) holds none and the alert resolves.
    for (int s = 0; s < 12; s++) {
      push(canary, 100, 100, 0);
      second();
    }
    assertThat(kinds()).containsExactly("PENDING@6", "FIRING@9", "RESOLVED@24");
    assertThat(events.get(2).incidentId()).isEqualTo(firing.incidentId());
    assertThat(engine.snapshot().alerts()).isEmpty();
  }

  @Test
  void aPendingAlertThatClearsResolvesNothing() {
    engine.setRules(
        rules(
            """
            rules:
              - name: canary-p95
                select: {service: checkout, stage: canary}
                window: 2s
                when: p95 > 500ms
                for: 10s
            """),
        clock.wallTimeMillis());
    Labels canary = Labels.of("service", "checkout", "stage", "canary");
    push(canary, 100, 900, 0);
    second();
    for (int s = 0; s < 5; s++) {
      push(canary, 100, 100, 0);
      second();
    }
    // it never fired, so no receiver heard of it: no resolve (it has no incident to close)
    assertThat(kinds()).containsExactly("PENDING@1");
    assertThat(engine.snapshot().alerts()).isEmpty();
  }

  @Test
  void valuesAreShownInTheUnitOfTheComparison() {
    List<Rule> r =
        rules(
            "rules:\n"
                + "  - {name: a, when: p95 > 500ms}\n"
                + "  - {name: b, when: error_rate > 1%}\n"
                + "  - {name: c, when: gauge(\"pass\") < 95%}\n"
                + "  - {name: d, when: count > 10}\n");
    assertThat(AlertText.formatValue(r.get(0), 812.34)).isEqualTo("812.3ms");
    assertThat(AlertText.formatValue(r.get(1), 0.0235)).isEqualTo("2.35%");
    assertThat(AlertText.formatValue(r.get(2), 0.9)).isEqualTo("90.0%");
    assertThat(AlertText.formatValue(r.get(3), 17)).isEqualTo("17");
    assertThat(AlertText.formatValue(r.get(3), Double.NaN)).isEqualTo("no data");
  }

  @Test
  void byGroupsMakeOneInstanceEach() {
    engine.setRules(
        rules(
            "rules:\n  - {name: errors, select: {service: s}, by: [pod], window: 5s, when: error_rate > 10%}\n"),
        clock.wallTimeMillis());
    push(Labels.of("service", "s", "pod", "a"), 100, 10, 50);
    push(Labels.of("service", "s", "pod", "b"), 100, 10, 0);
    second();
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.FIRING);
              assertThat(e.labels()).containsEntry("pod", "a");
              assertThat(e.value()).isEqualTo(0.5);
            });
    assertThat(engine.snapshot().rules().get(0).instances()).hasSize(2);
  }

  @Test
  void absenceFiresWhenNoSeriesMatchesAtAll() {
    engine.setRules(
        rules(
            "rules:\n  - {name: silent, select: {service: gone}, window: 5s, when: request_rate < 1}\n"),
        clock.wallTimeMillis());
    second();
    assertThat(kinds()).containsExactly("FIRING@1");
    assertThat(events.get(0).value()).isZero();
  }

  @Test
  void noDataNeverFiresEvenThroughNot() {
    engine.setRules(
        rules(
            "rules:\n  - {name: n, select: {service: none}, window: 5s, when: not (p95 > 500ms)}\n"),
        clock.wallTimeMillis());
    for (int s = 0; s < 5; s++) {
      second();
    }
    assertThat(events).isEmpty();
  }

  @Test
  void aReloadKeepsIncidentsOfRulesThatStayAndResolvesThoseOfRulesThatGo() {
    String keep = "  - {name: keep, select: {service: s}, window: 5s, when: error_rate > 10%}\n";
    engine.setRules(
        rules(
            "rules:\n"
                + keep
                + "  - {name: change, select: {service: s}, window: 5s, when: error_rate > 10%}\n"
                + "  - {name: drop, select: {service: s}, window: 5s, when: error_rate > 10%}\n"),
        clock.wallTimeMillis());
    push(Labels.of("service", "s"), 100, 10, 50);
    second(); // t=1s: 50% errors, all three fire
    assertThat(kinds()).containsExactly("FIRING@1", "FIRING@1", "FIRING@1");
    String changeIncident = events.get(1).incidentId();
    events.clear();

    // Reload: 'keep' moved in the file, 'change' has a new threshold, 'drop' is gone.
    List<AlertEvent> onReload =
        engine.setRules(
            rules(
                "rules:\n  - {name: change, select: {service: s}, window: 5s, when: error_rate > 60%}\n"
                    + keep),
            clock.wallTimeMillis());
    assertThat(onReload)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.rule()).isEqualTo("drop");
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.RESOLVED);
              assertThat(e.reason()).isEqualTo("the rule was removed");
            });
    push(Labels.of("service", "s"), 100, 10, 50);
    second(); // t=2s: 'keep' still fires quietly; 50% is not above 60%, so 'change' resolves
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.rule()).isEqualTo("change");
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.RESOLVED);
              assertThat(e.incidentId()).isEqualTo(changeIncident);
            });
    assertThat(engine.snapshot().alerts()).hasSize(1);
  }

  @Test
  void restoredStatesHoldThroughTheWarmUpThenResolveOrFireAsTheDataSays() {
    String yaml =
        "rules:\n  - {name: errors, select: {service: s}, by: [pod], window: 5s, when: error_rate > 10%}\n";
    engine.setRules(rules(yaml), clock.wallTimeMillis());
    push(Labels.of("service", "s", "pod", "a"), 100, 10, 50);
    second(); // t=1s: fires
    String incident = events.get(0).incidentId();
    List<RuleEngine.SavedInstance> saved = engine.saveState();
    assertThat(saved)
        .singleElement()
        .satisfies(i -> assertThat(i.instance()).containsEntry("pod", "a"));

    // A new process: empty windows, the same rules, the saved states.
    SeriesRegistry fresh = new SeriesRegistry(WindowSettings.defaults(), 1_000, 1_000);
    RuleEngine restarted = new RuleEngine(fresh, Duration.ofSeconds(1), clock);
    restarted.setRules(rules(yaml), clock.wallTimeMillis());
    assertThat(restarted.restoreState(saved, clock.wallTimeMillis())).isZero();
    List<AlertEvent> after = new ArrayList<>();
    for (int s = 0; s < 4; s++) { // t=2..5s: no data yet, inside the 5s warm-up: nothing moves
      clock.advance(Duration.ofSeconds(1));
      after.addAll(restarted.tick(clock.wallTimeMillis()));
    }
    assertThat(after).isEmpty();
    assertThat(restarted.snapshot().alerts()).hasSize(1);
    clock.advance(Duration.ofSeconds(2)); // t=7s: warm-up over, still no errors: resolves
    after.addAll(restarted.tick(clock.wallTimeMillis()));
    assertThat(after)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(AlertEvent.Kind.RESOLVED);
              assertThat(e.incidentId()).isEqualTo(incident);
            });
  }

  @Test
  void firingEventsExplainThemselves() {
    engine.setRules(
        rules(
            "rules:\n  - {name: slow, select: {service: s}, window: 5s, when: p95 > 500ms and error_rate < 50%, for: 2s}\n"),
        clock.wallTimeMillis());
    for (int s = 0; s < 3; s++) {
      push(Labels.of("service", "s"), 100, 800, 1);
      second();
    }
    AlertEvent firing = events.get(events.size() - 1);
    assertThat(firing.kind()).isEqualTo(AlertEvent.Kind.FIRING);
    assertThat(firing.threshold()).isEqualTo("> 500ms");
    assertThat(firing.valueText()).startsWith("80").endsWith("ms");
    assertThat(firing.reason())
        .isEqualTo(
            "p95 > 500ms and error_rate < 50% held for 2s (3 evaluations in a row), value "
                + firing.valueText());
    assertThat(firing.readings())
        .extracting(r -> r.expr(), r -> r.samples())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("p95", 300L),
            org.assertj.core.groups.Tuple.tuple("error_rate", 300L));
    assertThat(firing.readings().get(0).relativeError()).isEqualTo(1.0 / 256);
    assertThat(firing.readings().get(1).value())
        .isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aRuleWithEveryIsEvaluatedAtItsOwnPace() {
    engine.setRules(
        rules(
            "rules:\n  - {name: slow, select: {service: s}, window: 30s, every: 10s, when: count > 0, consecutive: 2}\n"),
        clock.wallTimeMillis());
    push(Labels.of("service", "s"), 1, 10, 0);
    for (int s = 0; s < 15; s++) {
      second();
    }
    // Evaluated at t=1s and t=11s: two in a row only at the second.
    assertThat(kinds()).containsExactly("PENDING@1", "FIRING@11");
  }

  @Test
  void baselineComparesTheCanaryWithTheStableSeries() {
    engine.setRules(
        rules(
            """
            rules:
              - name: slower-than-stable
                select: {service: checkout, stage: canary}
                baseline: {stage: stable}
                window: 5s
                when: p95 > 1.10 * baseline(p95)
                min_samples: 50
            """),
        clock.wallTimeMillis());
    push(Labels.of("service", "checkout", "stage", "stable"), 100, 200, 0);
    push(Labels.of("service", "checkout", "stage", "canary"), 100, 500, 0);
    second();
    assertThat(kinds()).containsExactly("FIRING@1");
  }
}
