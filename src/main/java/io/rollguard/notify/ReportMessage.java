package io.rollguard.notify;

import java.util.Objects;

/**
 * A scheduled report as the outbox keeps it until delivered: already rendered, so every attempt
 * (and a retry after a restart) sends the same words. {@code slot} names the schedule's slot (its
 * start, for example {@code 2026-12-01T09:00+01:00[Europe/Paris]}) and with {@code name} makes the
 * idempotency key. {@code json} is the report as a JSON document. Immutable.
 */
public record ReportMessage(
    String name, String slot, String title, String markdown, String html, String json) {

  public ReportMessage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(markdown, "markdown");
    Objects.requireNonNull(html, "html");
    Objects.requireNonNull(json, "json");
  }
}
