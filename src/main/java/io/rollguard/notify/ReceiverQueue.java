package io.rollguard.notify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One receiver's pending notifications, in the order they were made. A notification is eligible
 * when it is due and no earlier notification with the same ordering key is still pending, so a
 * PagerDuty resolve never overtakes its trigger, while a notification that is backing off does not
 * hold up other incidents. Not thread-safe: owned by the receiver's dispatcher.
 */
final class ReceiverQueue {

  /** A pending notification and its delivery so far. */
  static final class Entry {
    final Notification notification;
    int attempts;
    long dueAtMillis;

    /** The request body, rendered at the first attempt. */
    Format.Body body;

    Entry(Notification notification, long dueAtMillis) {
      this.notification = notification;
      this.dueAtMillis = dueAtMillis;
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  void add(Notification n, long dueAtMillis) {
    entries.add(new Entry(n, dueAtMillis));
  }

  void remove(Entry e) {
    entries.remove(e);
  }

  int size() {
    return entries.size();
  }

  /** The first eligible entry due at {@code nowMillis}, or null. */
  Entry next(long nowMillis) {
    Set<String> blocked = new HashSet<>();
    for (Entry e : entries) {
      if (blocked.add(e.notification.orderingKey()) && e.dueAtMillis <= nowMillis) {
        return e;
      }
    }
    return null;
  }

  /** When the next eligible entry falls due; {@link Long#MAX_VALUE} when the queue is empty. */
  long nextDueMillis() {
    Set<String> blocked = new HashSet<>();
    long next = Long.MAX_VALUE;
    for (Entry e : entries) {
      if (blocked.add(e.notification.orderingKey())) {
        next = Math.min(next, e.dueAtMillis);
      }
    }
    return next;
  }

  /** When the oldest pending notification was made; {@link Long#MAX_VALUE} when empty. */
  long oldestCreatedAtMillis() {
    long oldest = Long.MAX_VALUE;
    for (Entry e : entries) {
      oldest = Math.min(oldest, e.notification.createdAtMillis());
    }
    return oldest;
  }
}
