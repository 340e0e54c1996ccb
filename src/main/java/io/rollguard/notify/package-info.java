/**
 * Notifications to receivers (SPEC 4): payloads, signing, and delivery with retries and a durable
 * outbox. So far: Standard Webhooks signing; delivery arrives with the rest of issue #4.
 */
package io.rollguard.notify;
