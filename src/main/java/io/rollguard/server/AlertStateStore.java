package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.notify.Notification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert states that must survive a restart (pending and firing instances), in {@code
 * data_dir/state/alerts.json} (a {@link StateFile}), replaced atomically on every change. Blocking:
 * use from the storage worker only. Stateless apart from the file.
 */
final class AlertStateStore {

  private final StateFile<RuleEngine.SavedInstance> file;

  AlertStateStore(Path dataDir) {
    this.file =
        new StateFile<>(
            dataDir,
            "alerts.json",
            "instances",
            new StateFile.Codec<>() {
              @Override
              public void write(RuleEngine.SavedInstance s, ObjectNode o) {
                o.put("rule", s.rule());
                ObjectNode labels = o.putObject("instance");
                s.instance().forEach(labels::put);
                StateJson.write(o, s.state());
              }

              @Override
              public RuleEngine.SavedInstance read(JsonNode o) {
                Map<String, String> instance = new LinkedHashMap<>();
                for (var e : o.path("instance").properties()) {
                  instance.put(e.getKey(), e.getValue().asText());
                }
                return new RuleEngine.SavedInstance(
                    o.path("rule").asText(), Map.copyOf(instance), StateJson.read(o));
              }
            });
  }

  void save(List<RuleEngine.SavedInstance> instances, long savedAtMillis) throws IOException {
    file.save(instances, header -> header.put("saved_at", savedAtMillis));
  }

  /** What was saved, and when (the evaluation time it reflects); 0 and nothing without a file. */
  record Saved(long savedAtMillis, List<RuleEngine.SavedInstance> instances) {}

  Saved load() throws IOException {
    StateFile.Loaded<RuleEngine.SavedInstance> loaded = file.load();
    return new Saved(loaded.header().path("saved_at").asLong(), loaded.items());
  }

  /**
   * Brings saved states in line with the outbox, which is written first: a notification about a
   * transition later than the evaluation the states were saved at means the process died between
   * the two writes; if it announces a firing, the incident is firing, if a resolve, it is over.
   */
  static List<RuleEngine.SavedInstance> reconcile(Saved saved, List<Notification> outbox) {
    Map<String, RuleEngine.SavedInstance> byIncident = new LinkedHashMap<>();
    List<RuleEngine.SavedInstance> out = new ArrayList<>();
    for (RuleEngine.SavedInstance s : saved.instances()) {
      if (s.state().incidentId() != null) {
        byIncident.put(s.state().incidentId(), s);
      } else {
        out.add(s);
      }
    }
    for (Notification n : outbox) {
      AlertEvent a = n.alert();
      if (a == null
          || (a.kind() != AlertEvent.Kind.FIRING && a.kind() != AlertEvent.Kind.RESOLVED)
          || n.event() == Notification.Event.CHANGE) {
        continue; // a report or a change event: no alert state
      }
      if (a.atMillis() <= saved.savedAtMillis()) {
        continue; // the saved states already reflect it
      }
      if (a.kind() == AlertEvent.Kind.RESOLVED) {
        byIncident.remove(a.incidentId());
      } else if (!byIncident.containsKey(a.incidentId())) {
        byIncident.put(
            a.incidentId(),
            new RuleEngine.SavedInstance(
                a.rule(),
                a.labels(),
                new InstanceState(
                    Phase.FIRING,
                    a.startedAtMillis(),
                    1,
                    a.firedAtMillis(),
                    a.atMillis(),
                    a.incidentId())));
      }
    }
    out.addAll(byIncident.values());
    return out;
  }

  /** How one item of this file reads and writes. */
  StateFile.Codec<RuleEngine.SavedInstance> codec() {
    return file.codec();
  }
}
