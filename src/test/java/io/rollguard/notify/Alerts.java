package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.RollguardConfig;
import io.rollguard.rules.Severity;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Alert events and receivers to feed the notifier's parts. */
final class Alerts {

  static final long T0 = 1_763_900_000_000L;
  static final Links LINKS = new Links("http://rollguard.test:8080");

  private Alerts() {}

  static AlertEvent event(
      AlertEvent.Kind kind, String incidentId, Map<String, String> annotations) {
    return AlertEvent.builder(kind, AlertEvent.Source.RULE, "canary-p95")
        .severity(Severity.CRITICAL)
        .labels(Map.of("service", "checkout", "stage", "canary"))
        .annotations(annotations)
        .expr("p95 > 500ms")
        .window("1m")
        .value(812.3, "812.3ms")
        .threshold("> 500ms")
        .readings(List.of(new SliReading("p95", Type.DURATION, 812.3, 1234, 1.0 / 256)))
        .reason(
            kind == AlertEvent.Kind.FIRING
                ? "p95 > 500ms held for 5m (300 evaluations in a row), value 812.3ms"
                : "p95 > 500ms no longer holds (120.0ms)")
        .incident(incidentId, T0 - 300_000, T0)
        .at(kind == AlertEvent.Kind.FIRING ? T0 : T0 + 600_000)
        .build();
  }

  static AlertEvent firing(String incidentId) {
    return event(
        AlertEvent.Kind.FIRING,
        incidentId,
        Map.of("summary", "checkout canary p95 812.3ms", "runbook", "https://wiki/runbook"));
  }

  /** A rollback verdict of the checkout rollout at its canary stage. */
  static AlertEvent rollback(String incidentId) {
    return AlertEvent.builder(AlertEvent.Kind.FIRING, AlertEvent.Source.ROLLOUT, "checkout")
        .severity(Severity.CRITICAL)
        .labels(Map.of("service", "checkout", "stage", "canary", "rollout", "checkout"))
        .expr("p95 > 1.10 * baseline(p95)")
        .window("1m")
        .value(133.6, "133.6ms")
        .threshold("> 110.1ms")
        .readings(List.of(new SliReading("p95", Type.DURATION, 133.6, 840, 1.0 / 256)))
        .reason("p95 > 1.10 * baseline(p95) held for 2s (133.6ms)")
        .incident(incidentId, T0 - 2_000, T0)
        .at(T0)
        .rollout(new AlertEvent.RolloutRef("checkout", "canary"))
        .build();
  }

  static AlertEvent resolved(String incidentId) {
    return event(AlertEvent.Kind.RESOLVED, incidentId, Map.of());
  }

  static Notification notification(String id, Notification.Event event, AlertEvent alert) {
    return new Notification(id, "r", event, 0, alert, alert.atMillis(), null);
  }

  static RollguardConfig.Delivery delivery(int maxAttempts, Duration maxAge) {
    return new RollguardConfig.Delivery(
        Duration.ofMillis(300),
        maxAttempts,
        maxAge,
        Duration.ofMillis(100),
        Duration.ofSeconds(10),
        0,
        0);
  }

  static RollguardConfig.Receiver receiver(String type, String url, String secret, String format) {
    return new RollguardConfig.Receiver(
        "r",
        type,
        url,
        type.equals("pagerduty") ? "R".repeat(32) : null,
        secret,
        format,
        false,
        null,
        Duration.ZERO,
        delivery(5, Duration.ofHours(1)),
        RollguardConfig.ChangeEvents.OFF,
        null);
  }
}
