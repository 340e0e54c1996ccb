package io.rollguard.rules;

import io.rollguard.config.Durations;
import io.rollguard.config.Fields;
import io.rollguard.config.Position;
import io.rollguard.config.Problems;
import io.rollguard.config.YamlNode;
import io.rollguard.window.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code slos:} of a rule file (SPEC 3.5) for {@link RuleLoader}. Stateless. */
final class SloReader {

  static final Duration MAX_PERIOD = Duration.ofDays(30);

  private static final Pattern LATENCY = Pattern.compile("latency\\s*(<=|<)\\s*(\\S+)");

  private SloReader() {}

  static Slo read(YamlNode node, RuleLoader.Context cx) {
    Problems problems = cx.problems();
    Fields f = Fields.of(node, "an SLO", problems, null);
    int before = problems.size();
    String name = cx.claimName(f, "an SLO");
    String description = f.string("description", "");
    Map<String, String> selectSpec = f.stringMap("select");
    RuleLoader.selector(f, "select", selectSpec, problems);
    double objective = f.ratio("objective", Double.NaN, 0.5, 0.99999);
    if (!f.has("objective")) {
      problems.add(f.position(), "missing required key 'objective' (such as 99.9%)");
    }
    Duration period = f.duration("period", Duration.ofDays(30), Duration.ofHours(1), MAX_PERIOD);
    String goodText = f.string("good", "ok");
    Slo.Good good = good(goodText, f.has("good") ? f.node("good").position() : null, problems);
    long minSamples = f.integer("min_samples", 1, 1, Long.MAX_VALUE);
    List<Slo.BurnTier> tiers;
    if (f.has("tiers")) {
      if (f.node("page") != null || f.node("ticket") != null) {
        problems.add(
            f.node("tiers").position(),
            "'tiers' replaces the default page and ticket tiers: give their receivers inside it");
      }
      tiers = customTiers(f, cx);
    } else {
      tiers =
          List.of(
              new Slo.BurnTier(
                  "page",
                  Severity.CRITICAL,
                  cx.receivers(f, "page"),
                  List.of(
                      window(Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
                      window(Duration.ofHours(6), Duration.ofMinutes(30), 6))),
              new Slo.BurnTier(
                  "ticket",
                  Severity.WARNING,
                  cx.receivers(f, "ticket"),
                  List.of(
                      window(Duration.ofDays(1), Duration.ofHours(2), 3),
                      window(Duration.ofDays(3), Duration.ofHours(6), 1))));
    }
    for (Slo.BurnTier tier : tiers) {
      for (Slo.BurnWindow w : tier.windows()) {
        if (w.longWindow().compareTo(period) > 0) {
          problems.add(
              f.position(),
              "tier '"
                  + tier.name()
                  + "': window "
                  + Durations.format(w.longWindow())
                  + " is longer than the period "
                  + Durations.format(period));
        }
      }
    }
    f.finish();
    if (problems.size() > before || name == null || good == null) {
      return null;
    }
    return new Slo(
        name,
        description,
        Map.copyOf(selectSpec),
        objective,
        period,
        goodText,
        good,
        minSamples,
        tiers.stream()
            .sorted(Comparator.comparingDouble(Slo.BurnTier::fastestBurnRate).reversed())
            .toList(),
        f.position());
  }

  private static Slo.BurnWindow window(Duration longWindow, Duration shortWindow, double rate) {
    return new Slo.BurnWindow(longWindow, shortWindow, rate);
  }

  /**
   * {@code ok}, {@code latency < 300ms} (or {@code <=}), or both joined by {@code and}; null (with
   * a problem) otherwise.
   */
  static Slo.Good good(String text, Position at, Problems problems) {
    boolean ok = false;
    long limit = Long.MAX_VALUE;
    for (String part : text.trim().split("\\s+and\\s+")) {
      String p = part.trim();
      Matcher m = LATENCY.matcher(p);
      if (p.equals("ok") && !ok) {
        ok = true;
      } else if (m.matches() && limit == Long.MAX_VALUE) {
        try {
          long micros = Durations.parse(m.group(2)).toNanos() / 1_000;
          if (micros <= 0 || micros >= Latency.HIGHEST_TRACKABLE_MICROS) {
            throw new IllegalArgumentException("the latency limit must be above 0 and below 1h");
          }
          limit = m.group(1).equals("<=") ? micros + 1 : micros;
        } catch (IllegalArgumentException e) {
          problems.add(at, "'good': " + e.getMessage());
          return null;
        }
      } else {
        problems.add(
            at,
            "'good' must be 'ok', 'latency < 300ms' or both joined by 'and', got '" + text + "'");
        return null;
      }
    }
    return new Slo.Good(ok, limit);
  }

  private static List<Slo.BurnTier> customTiers(Fields f, RuleLoader.Context cx) {
    Problems problems = cx.problems();
    List<Slo.BurnTier> tiers = new ArrayList<>();
    for (YamlNode item : f.list("tiers")) {
      Fields t = Fields.of(item, "a tier", problems, null);
      String name = t.requiredString("name");
      Severity severity = RuleLoader.severity(t, "warning", problems);
      List<String> notify = cx.receivers(t, "notify");
      List<Slo.BurnWindow> windows = new ArrayList<>();
      List<YamlNode> items = t.list("windows");
      if (items.isEmpty()) {
        problems.add(t.position(), "a tier needs at least one entry under 'windows'");
      }
      for (YamlNode w : items) {
        Fields wf = Fields.of(w, "a burn-rate window", problems, null);
        int windowBefore = problems.size();
        Duration longWindow = wf.duration("long", null, Duration.ofMinutes(1), MAX_PERIOD);
        Duration shortWindow = wf.duration("short", null, Duration.ofSeconds(10), MAX_PERIOD);
        double rate = wf.ratio("burn_rate", Double.NaN, 0.001, 10_000);
        for (String key : List.of("long", "short", "burn_rate")) {
          if (!wf.has(key)) {
            problems.add(wf.position(), "missing required key '" + key + "'");
          }
        }
        if (longWindow != null && shortWindow != null && shortWindow.compareTo(longWindow) > 0) {
          problems.add(wf.position(), "'short' must not be longer than 'long'");
        }
        wf.finish();
        if (longWindow != null && shortWindow != null && problems.size() == windowBefore) {
          windows.add(new Slo.BurnWindow(longWindow, shortWindow, rate));
        }
      }
      t.finish();
      if (name != null) {
        tiers.add(new Slo.BurnTier(name, severity, notify, List.copyOf(windows)));
      }
    }
    return tiers;
  }
}
