package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.RollguardConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Who hears of an alert transition, and as what (SPEC 4): the {@code notify} list of what raised
 * it, else the {@code routes} of its severity, else (no receivers configured) the console. Rollback
 * receivers get one {@code rollback} event per incident and nothing else; pending transitions go
 * nowhere. The {@link Notifier} delivers what this decides; {@code rollguard test} shows it.
 * Immutable.
 */
public final class Routing {

  private static final Logger LOG = Logger.getLogger(Routing.class.getName());

  /** The receiver notifications go to when none are configured. */
  public static final String CONSOLE = "console";

  private final Map<String, RollguardConfig.Receiver> receivers = new LinkedHashMap<>();
  private final Map<String, List<String>> routes;
  private final Links links;

  public Routing(RollguardConfig config, Links links) {
    receivers.putAll(config.receivers());
    if (receivers.isEmpty()) {
      receivers.put(CONSOLE, consoleReceiver());
    }
    this.routes = config.receivers().isEmpty() ? Map.of() : config.routes();
    this.links = links;
  }

  /** Every receiver, the console among them when none is configured. */
  public Map<String, RollguardConfig.Receiver> receivers() {
    return receivers;
  }

  /**
   * Receivers for an event: the {@code notify} list of what raised it when not empty, else its
   * severity's route.
   */
  public List<String> route(AlertEvent e) {
    if (e.kind() == AlertEvent.Kind.PENDING) {
      return List.of();
    }
    List<String> names =
        !e.receivers().isEmpty()
            ? e.receivers()
            : routes.getOrDefault(e.severity().wireName(), List.of());
    if (names.isEmpty() && routes.isEmpty()) {
      names = List.of(CONSOLE);
    }
    List<String> known = new ArrayList<>();
    for (String name : names) {
      RollguardConfig.Receiver r = receivers.get(name);
      if (r != null) {
        if (takes(r, e)) {
          known.add(name);
        }
      } else {
        LOG.warning(() -> e.rule() + " names unknown receiver '" + name + "'; skipped");
      }
    }
    return known;
  }

  /**
   * Whether {@code r} hears of {@code e} at all: a stage change only reaches receivers with change
   * events, and a receiver with {@code change_events: only} hears only of rollouts.
   */
  private static boolean takes(RollguardConfig.Receiver r, AlertEvent e) {
    if (e.kind() == AlertEvent.Kind.CHANGED) {
      return r.changeEvents() != RollguardConfig.ChangeEvents.OFF;
    }
    return r.takesAlerts() || e.source() == AlertEvent.Source.ROLLOUT;
  }

  /**
   * The notifications {@code receiver} gets for {@code e} ({@code repeat} > 0: a reminder), each
   * with an id from {@code ids}; none when it gets none. A rollback receiver is told once, on
   * firing. A PagerDuty receiver with change events gets a change event for a rollout's rollback
   * (besides its page, unless {@code change_events: only}) and for a stage change.
   */
  public List<Notification> notifications(
      AlertEvent e, String receiver, int repeat, Supplier<String> ids, long now) {
    RollguardConfig.Receiver r = receivers.get(receiver);
    List<Notification> out = new ArrayList<>(2);
    if (r.rollback()) {
      if (e.kind() == AlertEvent.Kind.FIRING
          && repeat == 0) { // once per incident, never on resolve
        out.add(
            new Notification(ids.get(), r.name(), Notification.Event.ROLLBACK, 0, e, now, null));
      }
      return out;
    }
    if (e.kind() == AlertEvent.Kind.CHANGED) {
      if (r.changeEvents() != RollguardConfig.ChangeEvents.OFF) {
        out.add(new Notification(ids.get(), r.name(), Notification.Event.CHANGE, 0, e, now, null));
      }
      return out;
    }
    if (r.takesAlerts()) {
      Notification.Event event =
          e.kind() == AlertEvent.Kind.FIRING
              ? Notification.Event.FIRING
              : Notification.Event.RESOLVED;
      out.add(new Notification(ids.get(), r.name(), event, repeat, e, now, null));
    }
    if (r.changeEvents() != RollguardConfig.ChangeEvents.OFF
        && e.source() == AlertEvent.Source.ROLLOUT
        && e.kind() == AlertEvent.Kind.FIRING
        && repeat == 0) {
      out.add(new Notification(ids.get(), r.name(), Notification.Event.CHANGE, 0, e, now, null));
    }
    return out;
  }

  /**
   * Whether {@code r} can carry {@code n} at all (a fallback is checked against this): a report
   * needs a receiver that can show one; a change event a PagerDuty receiver whose URL has a change
   * events URL beside it; an alert anything but a PagerDuty receiver with change events only.
   */
  public static boolean canTake(RollguardConfig.Receiver r, Notification n) {
    return switch (n.event()) {
      case REPORT -> r.takesReports();
      case CHANGE -> r.type().equals("pagerduty") && PagerDutyFormat.changeUrl(r.url()) != null;
      case ROLLBACK -> r.rollback() || !r.type().equals("pagerduty") || r.takesAlerts();
      default -> r.takesAlerts();
    };
  }

  /** What the receiver of {@code n} would be sent: the body, as text. */
  public String render(Notification n) {
    return new String(format(n.receiver()).render(n).bytes(), StandardCharsets.UTF_8);
  }

  /** The format of a receiver. */
  Format format(String receiver) {
    return Format.of(receivers.get(receiver), links);
  }

  private static RollguardConfig.Receiver consoleReceiver() {
    return new RollguardConfig.Receiver(
        CONSOLE,
        CONSOLE,
        null,
        null,
        null,
        null,
        false,
        null,
        Duration.ZERO,
        new RollguardConfig.Delivery(
            Duration.ofSeconds(1),
            1,
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            0,
            0),
        RollguardConfig.ChangeEvents.OFF,
        null);
  }
}
