/**
 * Notifications to receivers (SPEC 4): payloads for Slack, PagerDuty, signed webhooks and the
 * Alertmanager shape ({@link io.rollguard.notify.Format}); one {@link
 * io.rollguard.notify.Dispatcher} per receiver with its own queue, rate limit and {@link
 * io.rollguard.notify.RetryPolicy}; the durable {@link io.rollguard.notify.Outbox}; and the {@link
 * io.rollguard.notify.Notifier} that routes alert transitions and ties them together.
 *
 * <p>Design: a notification is written to the outbox (forced to disk) before it is sent and removed
 * once delivered or handed to a fallback, so delivery is at-least-once across crashes; receivers
 * dedup on the idempotency key ({@code <incident_id>:<event>}, PagerDuty's {@code dedup_key}).
 * Dispatchers run on one Vert.x context of their own, file I/O on one ordered worker, so evaluation
 * never waits for a receiver.
 */
package io.rollguard.notify;
