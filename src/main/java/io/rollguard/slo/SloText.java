package io.rollguard.slo;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;
import io.rollguard.config.Durations;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Slo;
import io.rollguard.rules.Type;
import io.rollguard.window.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What SLO alerts say to people: the tiers' events, burn rates as text. Stateless. */
final class SloText {

  private SloText() {}

  /**
   * A tier's firing or resolve: value = the burn rate over the long window of {@code pair} (the
   * pair that tripped, or the tier's first), readings = every window of the tier with its request
   * count, and why.
   */
  static AlertEvent tierEvent(
      Slo slo,
      Slo.BurnTier tier,
      Slo.BurnWindow pair,
      SloEngine.Burn longBurn,
      SloEngine.Burn shortBurn,
      List<SloEngine.Burn> windows,
      InstanceState episode,
      boolean firing,
      long now) {
    List<SliReading> readings = new ArrayList<>();
    for (SloEngine.Burn b : windows) {
      readings.add(
          new SliReading(
              "burn_rate(" + Durations.format(b.window()) + ")",
              Type.NUMBER,
              b.rate(),
              b.total(),
              0));
    }
    double value = longBurn == null ? Double.NaN : longBurn.rate();
    String reason =
        firing
            ? String.format(
                java.util.Locale.ROOT,
                "the error budget burns %s over %s and %s over %s, above %s: at this rate a whole %s"
                    + " budget lasts %s",
                rate(longBurn.rate()),
                Durations.format(pair.longWindow()),
                rate(shortBurn.rate()),
                Durations.format(pair.shortWindow()),
                rate(pair.burnRate()),
                Durations.format(slo.period()),
                exhaustion(slo.period(), longBurn.rate()))
            : "no window pair of the tier burns above its rate any more";
    return base(slo, tier, firing ? AlertEvent.Kind.FIRING : AlertEvent.Kind.RESOLVED)
        .annotations(
            Map.of(
                "summary",
                "SLO "
                    + slo.name()
                    + " ("
                    + io.rollguard.config.Fields.percent(slo.objective())
                    + " over "
                    + Durations.format(slo.period())
                    + ") burns its error budget too fast"))
        .window(Durations.format(pair.longWindow()))
        .value(value, rate(value))
        .threshold("> " + rate(pair.burnRate()))
        .readings(List.copyOf(readings))
        .reason(reason)
        .incident(episode.incidentId(), episode.pendingSinceMillis(), episode.firedAtMillis())
        .at(now)
        .build();
  }

  /**
   * What every event of an SLO tier carries: its receivers, and labels that say what burns (the
   * exact-value matchers of the SLO's {@code select}, {@code slo} and {@code tier}).
   */
  private static AlertEvent.Builder base(Slo slo, Slo.BurnTier tier, AlertEvent.Kind kind) {
    Map<String, String> labels = new TreeMap<>(Selector.exactValues(slo.selectSpec()));
    labels.put("slo", slo.name());
    labels.put("tier", tier.name());
    return AlertEvent.builder(kind, AlertEvent.Source.SLO, slo.name())
        .severity(tier.severity())
        .labels(labels)
        .expr(expression(tier))
        .receivers(tier.receivers());
  }

  /** The resolve of a firing tier whose SLO or tier is gone. */
  static void resolvedAway(
      Slo slo,
      String tierName,
      InstanceState state,
      String why,
      long now,
      List<AlertEvent> events) {
    if (state.phase() != Phase.FIRING) {
      return;
    }
    Slo.BurnTier tier =
        slo.tiers().stream().filter(t -> t.name().equals(tierName)).findFirst().orElseThrow();
    events.add(
        base(slo, tier, AlertEvent.Kind.RESOLVED)
            .reason(why)
            .incident(state.incidentId(), state.pendingSinceMillis(), state.firedAtMillis())
            .at(now)
            .build());
  }

  /** {@code burn rate > 14.4x over 1h and 5m, or > 6x over 6h and 30m}. */
  static String expression(Slo.BurnTier tier) {
    List<String> parts = new ArrayList<>();
    for (Slo.BurnWindow w : tier.windows()) {
      parts.add(
          "> "
              + rate(w.burnRate())
              + " over "
              + Durations.format(w.longWindow())
              + " and "
              + Durations.format(w.shortWindow()));
    }
    return "burn rate " + String.join(", or ", parts);
  }

  static String rate(double burnRate) {
    if (Double.isNaN(burnRate)) {
      return "no data";
    }
    String s = String.format(java.util.Locale.ROOT, "%.2f", burnRate);
    s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    return s + "x";
  }

  private static String exhaustion(Duration period, double burnRate) {
    long millis = (long) (period.toMillis() / burnRate);
    return Durations.format(Duration.ofMillis(Math.max(1_000, millis / 60_000 * 60_000)));
  }
}
