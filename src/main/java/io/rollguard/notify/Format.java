package io.rollguard.notify;

import io.rollguard.config.RollguardConfig;
import java.util.Map;

/**
 * Turns a notification into a receiver's request body (and, for signed webhooks, the headers of
 * each attempt). Immutable and thread-safe.
 */
interface Format {

  /** The request body and its content type. */
  record Body(byte[] bytes, String contentType) {}

  Body render(Notification n);

  /** Where the notification goes: the receiver's {@code url}, unless the format says otherwise. */
  default String url(Notification n, String configured) {
    return configured;
  }

  /** Headers for one attempt at {@code nowMillis} (signatures are made per attempt). */
  default Map<String, String> headers(Notification n, byte[] body, long nowMillis) {
    return Map.of();
  }

  /** The format for a receiver; {@code links} builds links back to this server. */
  static Format of(RollguardConfig.Receiver receiver, Links links) {
    return switch (receiver.type()) {
      case "slack" -> new SlackFormat(links);
      case "pagerduty" -> new PagerDutyFormat(receiver.routingKey(), links);
      case "webhook" ->
          "alertmanager".equals(receiver.format())
              ? new AlertmanagerFormat(receiver.name(), receiver.secret(), links)
              : new WebhookFormat(receiver.secret(), links);
      case "email" -> new EmailFormat(receiver.email(), links);
      default -> new ConsoleFormat();
    };
  }
}
