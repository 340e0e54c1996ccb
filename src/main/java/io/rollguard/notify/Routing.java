package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.RollguardConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
      if (receivers.containsKey(name)) {
        known.add(name);
      } else {
        LOG.warning(() -> e.rule() + " names unknown receiver '" + name + "'; skipped");
      }
    }
    return known;
  }

  /**
   * The notification {@code receiver} gets for {@code e} ({@code repeat} > 0: a reminder), or null
   * when it gets none (a rollback receiver is told once, on firing).
   */
  public Notification notification(AlertEvent e, String receiver, int repeat, String id, long now) {
    RollguardConfig.Receiver r = receivers.get(receiver);
    Notification.Event event;
    if (r.rollback()) {
      if (e.kind() != AlertEvent.Kind.FIRING || repeat > 0) {
        return null; // once per incident, never on resolve
      }
      event = Notification.Event.ROLLBACK;
    } else {
      event =
          e.kind() == AlertEvent.Kind.FIRING
              ? Notification.Event.FIRING
              : Notification.Event.RESOLVED;
    }
    return new Notification(id, r.name(), event, repeat, e, now, null);
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
            0));
  }
}
