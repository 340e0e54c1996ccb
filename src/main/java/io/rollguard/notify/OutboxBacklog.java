package io.rollguard.notify;

/**
 * Alert transitions that could not be made durable in the outbox yet (a full or read-only disk):
 * how many wait, the last error and since when it fails. They are retried at every evaluation; the
 * alert states are not saved while any wait, so a crash mends nothing it should not. Immutable.
 */
public record OutboxBacklog(int unwritten, String lastError, long failingSinceMillis) {

  public static final OutboxBacklog EMPTY = new OutboxBacklog(0, null, 0);

  public boolean isEmpty() {
    return unwritten == 0;
  }
}
