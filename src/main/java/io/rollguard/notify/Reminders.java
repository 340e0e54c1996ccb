package io.rollguard.notify;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.RollguardConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which firing incidents are owed a {@code repeat_interval} reminder, per receiver. A reminder
 * carries the firing event it repeats, numbered from 1. Not thread-safe: owned by the notifier's
 * context.
 */
final class Reminders {

  /** A reminder to send now. */
  record Due(AlertEvent alert, String receiver, int repeat) {}

  private static final class Open {
    final AlertEvent alert;
    final Map<String, Long> lastSentMillis = new LinkedHashMap<>();
    final Map<String, Integer> sent = new LinkedHashMap<>();

    Open(AlertEvent alert) {
      this.alert = alert;
    }
  }

  private final Map<String, RollguardConfig.Receiver> receivers;
  private final Map<String, Open> open = new LinkedHashMap<>();

  Reminders(Map<String, RollguardConfig.Receiver> receivers) {
    this.receivers = receivers;
  }

  /**
   * An incident started firing (or, after a restart, is still firing) at {@code nowMillis}, and was
   * sent to {@code routedTo}.
   */
  void open(AlertEvent firing, List<String> routedTo, long nowMillis) {
    Open o = new Open(firing);
    for (String name : routedTo) {
      RollguardConfig.Receiver r = receivers.get(name);
      if (r != null && !r.repeatInterval().isZero() && !r.rollback()) {
        o.lastSentMillis.put(r.name(), nowMillis);
        o.sent.put(r.name(), 0);
      }
    }
    if (!o.lastSentMillis.isEmpty()) {
      open.putIfAbsent(firing.incidentId(), o);
    }
  }

  void close(String incidentId) {
    open.remove(incidentId);
  }

  /** The reminders due at {@code nowMillis}; marks them sent. */
  List<Due> due(long nowMillis) {
    List<Due> due = new ArrayList<>();
    for (Open o : open.values()) {
      for (var e : o.lastSentMillis.entrySet()) {
        long interval = receivers.get(e.getKey()).repeatInterval().toMillis();
        if (nowMillis - e.getValue() >= interval) {
          e.setValue(nowMillis);
          int n = o.sent.merge(e.getKey(), 1, Integer::sum);
          due.add(new Due(o.alert, e.getKey(), n));
        }
      }
    }
    return due;
  }
}
