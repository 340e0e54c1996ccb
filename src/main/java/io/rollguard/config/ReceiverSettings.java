package io.rollguard.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code receivers:} section of {@code rollguard.yaml}: every key of every receiver, with
 * defaults that keep within the services' own limits (Slack about 1 message/s per webhook,
 * PagerDuty about 120 events/min per routing key). Stateless.
 */
final class ReceiverSettings {

  static final String PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

  private static final Set<String> TYPES = Set.of("slack", "pagerduty", "webhook", "console");
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*/\\s*(s|m|h)");

  private ReceiverSettings() {}

  static Map<String, RollguardConfig.Receiver> read(
      Fields top, Problems problems, UnaryOperator<String> env) {
    Map<String, RollguardConfig.Receiver> receivers = new LinkedHashMap<>();
    Map<String, Position> fallbackPositions = new LinkedHashMap<>();
    Fields section = top.mapping("receivers");
    for (var e : section.entries().entrySet()) {
      String name = e.getKey();
      String what = "receiver '" + name + "'";
      Fields r = Fields.of(e.getValue().value(), what, problems, env);
      String type = r.requiredString("type");
      if (type != null && !TYPES.contains(type)) {
        problems.add(
            r.position(),
            what
                + ": unknown type '"
                + type
                + "' (expected one of: console, pagerduty, slack, webhook)");
        type = null;
      }
      String url = r.string("url", null);
      String routingKey = r.string("routing_key", null);
      String secret = r.string("secret", null);
      String format = r.string("format", null);
      boolean rollback = r.bool("rollback", false);
      String fallback = r.string("fallback", null);
      if (fallback != null) {
        fallbackPositions.put(name, r.node("fallback").position());
      }
      Duration repeat =
          r.duration("repeat_interval", Duration.ZERO, Duration.ZERO, Duration.ofDays(7));
      RollguardConfig.Delivery delivery = delivery(r, type, what, problems);
      if (type != null) {
        checkTypeKeys(r, what, type, url, routingKey, secret, format, rollback, problems);
      }
      if ("pagerduty".equals(type) && url == null) {
        url = PAGERDUTY_EVENTS_URL;
      }
      r.finish();
      receivers.put(
          name,
          new RollguardConfig.Receiver(
              name,
              type,
              url,
              routingKey,
              secret,
              "webhook".equals(type) && format == null ? "webhook" : format,
              rollback,
              fallback,
              repeat,
              delivery));
    }
    checkFallbacks(receivers, fallbackPositions, problems);
    return receivers;
  }

  private static RollguardConfig.Delivery delivery(
      Fields r, String type, String what, Problems problems) {
    double defaultRate =
        switch (type == null ? "" : type) {
          case "slack" -> 1.0;
          case "pagerduty" -> 2.0;
          default -> 0;
        };
    double rate = defaultRate;
    YamlNode rateNode = r.node("rate_limit");
    if (rateNode != null) {
      String text = r.string("rate_limit", "");
      Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (text.trim().equals("0") || text.trim().equalsIgnoreCase("off")) {
        rate = 0;
      } else if (m.matches()) {
        double per =
            switch (m.group(2)) {
              case "s" -> 1;
              case "m" -> 60;
              default -> 3_600;
            };
        rate = Double.parseDouble(m.group(1)) / per;
      } else {
        problems.add(
            rateNode.position(),
            what + ": 'rate_limit' must look like 1/s, 120/m or 0 (no limit), got '" + text + "'");
      }
    }
    Duration initial =
        r.duration(
            "initial_backoff",
            Duration.ofMillis(500),
            Duration.ofMillis(10),
            Duration.ofMinutes(10));
    Duration max =
        r.duration(
            "max_backoff", Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofHours(1));
    if (max.compareTo(initial) < 0) {
      problems.add(r.position(), what + ": 'max_backoff' must not be below 'initial_backoff'");
    }
    return new RollguardConfig.Delivery(
        r.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(2)),
        (int) r.integer("max_attempts", 20, 1, 1_000),
        r.duration("max_age", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(7)),
        initial,
        max,
        rate,
        rate == 0 ? 0 : (int) Math.max(1, Math.ceil(rate * 3)));
  }

  private static void checkTypeKeys(
      Fields r,
      String what,
      String type,
      String url,
      String routingKey,
      String secret,
      String format,
      boolean rollback,
      Problems problems) {
    if ((type.equals("slack") || type.equals("webhook")) && url == null) {
      problems.add(r.position(), what + ": type " + type + " needs 'url'");
    }
    if (type.equals("pagerduty") && routingKey == null) {
      problems.add(r.position(), what + ": type pagerduty needs 'routing_key'");
    }
    if (type.equals("console") && url != null) {
      problems.add(r.node("url").position(), what + ": a console receiver has no 'url'");
    }
    if (!type.equals("pagerduty") && routingKey != null) {
      problems.add(r.node("routing_key").position(), what + ": 'routing_key' is for pagerduty");
    }
    if (!type.equals("webhook")) {
      for (String key : new String[] {"secret", "format", "rollback"}) {
        if (r.has(key)) {
          problems.add(r.node(key).position(), what + ": '" + key + "' is for webhook receivers");
        }
      }
    } else if (format != null && !format.equals("webhook") && !format.equals("alertmanager")) {
      problems.add(
          r.node("format").position(),
          what + ": unknown format '" + format + "' (expected webhook or alertmanager)");
    } else if (rollback && "alertmanager".equals(format)) {
      problems.add(
          r.node("rollback").position(),
          what + ": a rollback receiver gets our own payload; drop 'format: alertmanager'");
    }
    if (secret != null && secret.isEmpty()) {
      problems.add(r.node("secret").position(), what + ": 'secret' is empty");
    }
  }

  /** Fallbacks must name receivers, and following them must never come back round. */
  private static void checkFallbacks(
      Map<String, RollguardConfig.Receiver> receivers,
      Map<String, Position> positions,
      Problems problems) {
    for (var e : positions.entrySet()) {
      String fallback = receivers.get(e.getKey()).fallback();
      if (!receivers.containsKey(fallback)) {
        problems.add(
            e.getValue(),
            "receiver '" + e.getKey() + "': fallback names unknown receiver '" + fallback + "'");
        continue;
      }
      Set<String> seen = new HashSet<>();
      String at = e.getKey();
      while (at != null && seen.add(at)) {
        RollguardConfig.Receiver r = receivers.get(at);
        at = r == null ? null : r.fallback();
      }
      if (at != null) {
        problems.add(
            e.getValue(),
            "receiver '" + e.getKey() + "': fallbacks go round in a circle through '" + at + "'");
      }
    }
  }
}
