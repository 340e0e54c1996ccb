package io.rollguard.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.ManualClock;
import io.rollguard.config.RollguardConfig;
import io.rollguard.evaluation.Evaluation;
import io.rollguard.notify.Links;
import io.rollguard.notify.Notification;
import io.rollguard.notify.Routing;
import io.rollguard.rollout.Verdict;
import io.rollguard.rules.RuleLoader;
import io.rollguard.slo.SloEngine;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the cases of a {@link RuleTest} on virtual time: each case starts from nothing at {@link
 * #START}, feeds its input series step by step into a fresh registry, sets rollout stages when
 * told, ticks the same {@link Evaluation} as {@code serve} every evaluation interval, routes what
 * it raises as the server would (without sending anything), and checks each expectation at the
 * first tick at or after its time. Stateless.
 */
public final class RuleTestRunner {

  /** Virtual time of every case's start: 2026-01-01T00:00:00Z. */
  public static final long START = 1_767_225_600_000L;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A case that failed: every mismatch, each with the time it was found at. */
  public record Failure(String testName, List<String> mismatches) {}

  /** A notification that would have been sent. */
  record Sent(long atMillis, String receiver, String event, JsonNode payload) {}

  private RuleTestRunner() {}

  /** Runs every case of {@code test} over the loaded rule files; returns the failures. */
  public static List<Failure> run(RuleTest test, RuleLoader.Result files, RollguardConfig config) {
    List<Failure> failures = new ArrayList<>();
    for (RuleTest.Case c : test.cases()) {
      List<String> mismatches = runCase(test, c, files, config);
      if (!mismatches.isEmpty()) {
        failures.add(new Failure(c.name(), mismatches));
      }
    }
    return failures;
  }

  private static List<String> runCase(
      RuleTest test, RuleTest.Case c, RuleLoader.Result files, RollguardConfig config) {
    ManualClock clock = new ManualClock(START);
    SeriesRegistry registry =
        new SeriesRegistry(
            WindowSettings.of(config.limits().maxWindow(), config.limits().maxFutureSkew()),
            Integer.MAX_VALUE,
            Integer.MAX_VALUE);
    Evaluation evaluation =
        new Evaluation(registry, test.evaluationInterval(), config.limits().maxFutureSkew(), clock);
    Routing routing = new Routing(config, new Links(config.linkBase(8080)));
    List<String> mismatches = new ArrayList<>();
    List<Sent> sent = new ArrayList<>();
    long interval = test.evaluationInterval().toMillis();
    long step = c.interval().toMillis();
    long lastExpectation =
        c.expectations().stream().mapToLong(RuleTest.Expectation::atMillis).max().orElse(0);
    long end = Math.max((long) c.steps() * step, lastExpectation);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    int nextStep = 0;
    int nextExpectation = 0;
    List<RuleTest.Expectation> expectations =
        c.expectations().stream()
            .sorted(java.util.Comparator.comparingLong(RuleTest.Expectation::atMillis))
            .toList();
    List<AlertEvent> raised = new ArrayList<>(evaluation.load(files, START));
    for (long t = 0; t <= end + interval; t += interval) {
      long now = START + t;
      clock.advanceTo(now);
      while (nextStep < c.steps() && (long) nextStep * step <= t) {
        feed(registry, c, nextStep, START + nextStep * step, samples, scratch);
        nextStep++;
      }
      for (RuleTest.StageChange s : c.stages()) {
        if (s.atMillis() <= t && s.atMillis() > t - interval) {
          var change = evaluation.rollouts().setStage(s.rollout(), s.stage(), now);
          if (change.error() != null) {
            mismatches.add("at " + RuleTestReader.at(t) + ": " + change.error());
          }
          raised.addAll(change.events());
        }
      }
      raised.addAll(evaluation.tick(now).all());
      for (AlertEvent e : raised) {
        for (String receiver : routing.route(e)) {
          int[] made = {sent.size()};
          for (Notification n :
              routing.notifications(
                  e, receiver, 0, () -> String.format("%013d-%09d", now, made[0]++), now)) {
            sent.add(new Sent(now, receiver, n.event().wireName(), payload(routing.render(n))));
          }
        }
      }
      raised.clear();
      while (nextExpectation < expectations.size()
          && expectations.get(nextExpectation).atMillis() <= t) {
        check(expectations.get(nextExpectation), evaluation, sent, mismatches);
        sent.clear();
        nextExpectation++;
      }
    }
    return mismatches;
  }

  private static void feed(
      SeriesRegistry registry,
      RuleTest.Case c,
      int k,
      long ts,
      RequestSamples samples,
      LatencyScratch scratch) {
    for (RuleTest.Input in : c.inputs()) {
      if (k >= in.steps()) {
        continue;
      }
      if (in instanceof RuleTest.Requests r) {
        double latency = r.latencyMillis()[k];
        if (Double.isNaN(latency)) {
          continue;
        }
        double share = k < r.errorShare().length ? r.errorShare()[k] : 0;
        if (Double.isNaN(share)) {
          share = 0;
        }
        int failed = (int) Math.round(r.perStep() * share);
        samples.clear();
        double logSpread = Math.log1p(r.spread());
        for (int i = 0; i < r.perStep(); i++) {
          // evenly in log scale over [value / (1 + spread), value x (1 + spread)]
          double at = r.perStep() == 1 ? 0 : (2.0 * i / (r.perStep() - 1) - 1);
          double ms = latency * Math.exp(logSpread * at);
          samples.add(ts, io.rollguard.window.Latency.millisToMicros(ms), i < failed);
        }
        registry.requests(r.labels()).record(samples, 0, samples.size(), ts, scratch);
      } else if (in instanceof RuleTest.Gauge g) {
        if (!Double.isNaN(g.values()[k])) {
          registry.gauge(g.name(), g.labels()).record(ts, g.values()[k], ts);
        }
      } else if (in instanceof RuleTest.Check ch) {
        if (!Double.isNaN(ch.results()[k])) {
          registry.check(ch.name(), ch.labels()).record(ts, ch.results()[k] != 0, ts);
        }
      }
    }
  }

  private static void check(
      RuleTest.Expectation x, Evaluation evaluation, List<Sent> sent, List<String> mismatches) {
    String at = "at " + RuleTestReader.at(x.atMillis()) + " (" + x.position() + ")";
    for (RuleTest.AlertExpectation a : x.alerts()) {
      expect(
          mismatches,
          at + ": alert " + a.rule() + (a.labels() == null ? "" : " " + a.labels()),
          a.state(),
          alertState(evaluation.rules().snapshot(), a),
          null);
    }
    x.rollouts()
        .forEach(
            (name, want) -> {
              Verdict v = evaluation.rollouts().verdicts().get(name);
              if (v == null) {
                mismatches.add(at + ": rollout " + name + ": no such rollout");
                return;
              }
              Map<String, String> got =
                  Map.of("verdict", v.decision().wireName(), "stage", v.stage());
              want.forEach(
                  (key, value) ->
                      expect(
                          mismatches,
                          at + ": rollout " + name + " " + key,
                          value,
                          got.get(key),
                          key.equals("verdict") ? String.join("; ", v.reasons()) : null));
            });
    x.slos()
        .forEach(
            (name, want) -> {
              SloEngine.SloStatus s =
                  evaluation.slos().snapshot().slos().stream()
                      .filter(st -> st.slo().name().equals(name))
                      .findFirst()
                      .orElse(null);
              if (s == null) {
                mismatches.add(at + ": SLO " + name + ": no such SLO");
                return;
              }
              want.forEach(
                  (key, value) ->
                      expect(
                          mismatches,
                          at + ": SLO " + name + " " + key,
                          // statuses are written PASS, tier states firing; either case is taken
                          key.equals("status")
                              ? value.toUpperCase(java.util.Locale.ROOT)
                              : value.toLowerCase(java.util.Locale.ROOT),
                          key.equals("status")
                              ? s.compliance().name()
                              : s.tiers().stream()
                                  .filter(tier -> tier.tier().name().equals(key))
                                  .map(tier -> tier.phase().wireName())
                                  .findFirst()
                                  .orElse("no such tier"),
                          null));
            });
    if (x.notifications() != null) {
      checkNotifications(x.notifications(), sent, at, mismatches);
    }
  }

  private static void checkNotifications(
      List<RuleTest.NotificationExpectation> want,
      List<Sent> sent,
      String at,
      List<String> mismatches) {
    List<String> wantShort = want.stream().map(n -> n.receiver() + " " + n.event()).toList();
    List<String> gotShort = sent.stream().map(s -> s.receiver() + " " + s.event()).toList();
    if (!wantShort.equals(gotShort)) {
      expect(
          mismatches,
          at + ": notifications since the previous check",
          wantShort.toString(),
          gotShort.toString(),
          null);
      return;
    }
    for (int i = 0; i < want.size(); i++) {
      Sent s = sent.get(i);
      for (var field : want.get(i).payload().entrySet()) {
        JsonNode node = s.payload();
        for (String part : field.getKey().split("\\.")) {
          node = node.path(part);
        }
        expect(
            mismatches,
            at + ": notification to " + s.receiver() + ": payload " + field.getKey(),
            field.getValue(),
            node.isMissingNode() ? "(missing)" : node.isNull() ? "null" : node.asText(),
            null);
      }
    }
  }

  /** Adds {@code "<where>: expected <expected>, got <got> (<why>)"} unless the two are equal. */
  private static void expect(
      List<String> mismatches, String where, String expected, String got, String why) {
    if (!expected.equals(got)) {
      mismatches.add(
          where
              + ": expected "
              + expected
              + ", got "
              + got
              + (why == null ? "" : " (" + why + ")"));
    }
  }

  /** The state of the instance {@code a} names, or the most severe of the rule's instances. */
  private static String alertState(RuleEngine.Snapshot snapshot, RuleTest.AlertExpectation a) {
    Phase worst = null;
    for (RuleEngine.RuleStatus r : snapshot.rules()) {
      if (!r.rule().name().equals(a.rule())) {
        continue;
      }
      worst = Phase.INACTIVE;
      for (RuleEngine.InstanceStatus i : r.instances()) {
        boolean matches =
            a.labels() == null
                || a.labels().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(i.labels().get(e.getKey())));
        if (matches && i.phase().ordinal() > worst.ordinal()) {
          worst = i.phase();
        }
      }
    }
    return worst == null ? "no such rule" : worst.wireName();
  }

  private static JsonNode payload(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      return JSON.createObjectNode().put("text", body);
    }
  }
}
