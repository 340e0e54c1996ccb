package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.notify.AtomicFiles;
import io.rollguard.notify.Notification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert states that must survive a restart (pending and firing instances), in {@code
 * data_dir/state/alerts.json}, replaced atomically on every change. Blocking: use from the storage
 * worker only. Stateless apart from the file.
 */
final class AlertStateStore {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;

  AlertStateStore(Path dataDir) {
    this.file = dataDir.resolve("state").resolve("alerts.json");
  }

  void save(List<RuleEngine.SavedInstance> instances, long savedAtMillis) throws IOException {
    ObjectNode root = MAPPER.createObjectNode().put("saved_at", savedAtMillis);
    var list = root.putArray("instances");
    for (RuleEngine.SavedInstance s : instances) {
      ObjectNode o = list.addObject().put("rule", s.rule());
      ObjectNode labels = o.putObject("instance");
      s.instance().forEach(labels::put);
      StateJson.write(o, s.state());
    }
    AtomicFiles.write(file, MAPPER.writeValueAsBytes(root));
  }

  /** What was saved, and when (the evaluation time it reflects); 0 and nothing without a file. */
  record Saved(long savedAtMillis, List<RuleEngine.SavedInstance> instances) {}

  Saved load() throws IOException {
    if (!Files.exists(file)) {
      return new Saved(0, List.of());
    }
    List<RuleEngine.SavedInstance> out = new ArrayList<>();
    JsonNode root = MAPPER.readTree(file.toFile());
    for (JsonNode o : root.path("instances")) {
      Map<String, String> instance = new LinkedHashMap<>();
      for (var e : o.path("instance").properties()) {
        instance.put(e.getKey(), e.getValue().asText());
      }
      out.add(
          new RuleEngine.SavedInstance(
              o.path("rule").asText(), Map.copyOf(instance), StateJson.read(o)));
    }
    return new Saved(root.path("saved_at").asLong(), out);
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
}
