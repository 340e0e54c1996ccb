package io.rollguard.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rollguard.clock.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notification meters, per receiver: notifications by outcome ({@code delivered}, {@code gave_up},
 * {@code dead_endpoint}, {@code fallback}), attempts by result ({@code 2xx}, {@code 4xx}, {@code
 * 5xx}, {@code error}), delivery latency (made to delivered), queue depth and the age of the oldest
 * pending notification. Thread-safe.
 */
final class NotifyMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> latencies = new ConcurrentHashMap<>();

  NotifyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void watch(String receiver, Dispatcher d, Clock clock) {
    Gauge.builder("rollguard.notifications.queued", d, Dispatcher::queued)
        .description("Notifications waiting for delivery")
        .tag("receiver", receiver)
        .register(registry);
    Gauge.builder(
            "rollguard.notifications.oldest.pending",
            d,
            x -> {
              long oldest = x.oldestCreatedAtMillis();
              return oldest == Long.MAX_VALUE ? 0 : (clock.wallTimeMillis() - oldest) / 1000.0;
            })
        .description("Age of the oldest notification waiting for delivery")
        .baseUnit("seconds")
        .tag("receiver", receiver)
        .register(registry);
  }

  void outcome(String receiver, String outcome) {
    counters
        .computeIfAbsent(
            receiver + "|" + outcome,
            k ->
                Counter.builder("rollguard.notifications")
                    .description("Notifications settled, by receiver and outcome")
                    .tag("receiver", receiver)
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  void attempt(String receiver, RetryPolicy.Attempt a) {
    String result = a.status() == 0 ? "error" : (a.status() / 100) + "xx";
    counters
        .computeIfAbsent(
            receiver + "|attempt|" + result,
            k ->
                Counter.builder("rollguard.notification.attempts")
                    .description("Delivery attempts, by receiver and result")
                    .tag("receiver", receiver)
                    .tag("result", result)
                    .register(registry))
        .increment();
  }

  void delivered(String receiver, long latencyMillis) {
    latencies
        .computeIfAbsent(
            receiver,
            r ->
                Timer.builder("rollguard.notification.delivery")
                    .description("From the notification being made to its delivery")
                    .tag("receiver", r)
                    .publishPercentiles(0.5, 0.99)
                    .register(registry))
        .record(Duration.ofMillis(Math.max(0, latencyMillis)));
  }
}
