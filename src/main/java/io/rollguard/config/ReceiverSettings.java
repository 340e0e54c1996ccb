package io.rollguard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
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

  private static final Set<String> TYPES =
      Set.of("slack", "pagerduty", "webhook", "email", "console");

  /** The default subject of an email receiver. */
  static final String DEFAULT_SUBJECT = "[{{status}}] {{rule}}: {{summary}}";

  private static final Pattern ADDRESS =
      Pattern.compile("(?:[^<>\\r\\n]*<)?[^@\\s<>]+@[^@\\s<>]+>?");
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*/\\s*(s|m|h)");

  private ReceiverSettings() {}

  /**
   * @param baseDir what relative paths ({@code ca_file}) are resolved against
   */
  static Map<String, RollguardConfig.Receiver> read(
      Fields top, Problems problems, UnaryOperator<String> env, java.nio.file.Path baseDir) {
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
                + "' (expected one of: console, email, pagerduty, slack, webhook)");
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
      RollguardConfig.ChangeEvents changeEvents =
          "pagerduty".equals(type)
              ? changeEvents(r, what, problems)
              : RollguardConfig.ChangeEvents.OFF;
      RollguardConfig.Email email = "email".equals(type) ? email(r, what, problems, baseDir) : null;
      if (changeEvents != RollguardConfig.ChangeEvents.OFF
          && url != null
          && !url.endsWith("/v2/enqueue")) {
        problems.add(
            r.node("change_events").position(),
            what
                + ": change events go to /v2/change/enqueue beside the events URL, so 'url' must"
                + " end in /v2/enqueue, got '"
                + url
                + "'");
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
              delivery,
              changeEvents,
              email));
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
    if (type.equals("email") && url != null) {
      problems.add(
          r.node("url").position(), what + ": an email receiver has 'host' and 'port', not 'url'");
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

  /** {@code change_events}: false (default), true (besides alerts) or only. */
  private static RollguardConfig.ChangeEvents changeEvents(
      Fields r, String what, Problems problems) {
    YamlNode node = r.node("change_events");
    if (node == null) {
      return RollguardConfig.ChangeEvents.OFF;
    }
    String text = r.string("change_events", "false").strip().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "false", "off", "no" -> RollguardConfig.ChangeEvents.OFF;
      case "true", "on", "yes" -> RollguardConfig.ChangeEvents.ALSO;
      case "only" -> RollguardConfig.ChangeEvents.ONLY;
      default -> {
        problems.add(
            node.position(),
            what + ": 'change_events' must be true, false or only, got '" + text + "'");
        yield RollguardConfig.ChangeEvents.OFF;
      }
    };
  }

  /** The SMTP server, the addresses and the subject of an email receiver. */
  private static RollguardConfig.Email email(
      Fields r, String what, Problems problems, java.nio.file.Path baseDir) {
    String host = r.requiredString("host");
    String tls = r.string("tls", "starttls").strip().toLowerCase(Locale.ROOT);
    int defaultPort =
        switch (tls) {
          case "tls" -> 465;
          case "none" -> 25;
          default -> 587;
        };
    if (!Set.of("starttls", "tls", "none").contains(tls)) {
      problems.add(
          r.node("tls").position(),
          what + ": 'tls' must be starttls, tls or none, got '" + tls + "'");
    }
    int port = (int) r.integer("port", defaultPort, 1, 65_535);
    String username = r.string("username", null);
    String password = r.string("password", null);
    if ((username == null) != (password == null)) {
      problems.add(
          r.position(), what + ": 'username' and 'password' go together (SMTP AUTH needs both)");
    }
    if (username != null && "none".equals(tls)) {
      problems.add(
          r.node("username").position(),
          what + ": a password is never sent over a plain connection; use tls: starttls or tls");
    }
    String caFile = r.string("ca_file", null);
    if (caFile != null && baseDir != null) {
      caFile = baseDir.resolve(caFile).normalize().toString(); // relative to the config file
    }
    if (caFile != null && !java.nio.file.Files.isReadable(java.nio.file.Path.of(caFile))) {
      problems.add(r.node("ca_file").position(), what + ": cannot read ca_file '" + caFile + "'");
    }
    String from = r.requiredString("from");
    if (from != null && !ADDRESS.matcher(from).matches()) {
      problems.add(r.node("from").position(), what + ": 'from' is not an address: '" + from + "'");
    }
    List<String> to = r.strings("to");
    if (!r.has("to") || to.isEmpty()) {
      problems.add(r.position(), what + ": type email needs 'to' (one address or a list)");
    }
    for (String address : to) {
      if (!ADDRESS.matcher(address).matches()) {
        problems.add(r.node("to").position(), what + ": 'to' has a bad address: '" + address + "'");
      }
    }
    String subjectText = r.string("subject", DEFAULT_SUBJECT);
    List<String> errors = new ArrayList<>();
    MessageTemplate subject = MessageTemplate.parse(subjectText, errors);
    YamlNode subjectNode = r.node("subject");
    for (String e : errors) {
      problems.add(subjectNode == null ? r.position() : subjectNode.position(), what + ": " + e);
    }
    return new RollguardConfig.Email(
        host,
        port,
        tls,
        username,
        password,
        caFile,
        from,
        to,
        subject == null ? MessageTemplate.parse(DEFAULT_SUBJECT, new ArrayList<>()) : subject);
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
