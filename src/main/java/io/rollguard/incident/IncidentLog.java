package io.rollguard.incident;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.notify.AtomicFiles;
import io.rollguard.notify.Notification;
import io.rollguard.notify.Notifier;
import io.rollguard.notify.RetryPolicy;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The incidents: opened when an alert fires, closed when it resolves, with every delivery attempt
 * in between; each change is written to {@code data_dir/incidents/<id>.json} (atomically, on the
 * storage executor), so the timeline survives restarts. Keeps the {@value #MAX_INCIDENTS} most
 * recent; older resolved incidents are dropped with their files.
 *
 * <p><b>Concurrency.</b> Changes come from the notifier's context ({@link Notifier.Observer});
 * readers on any thread see immutable {@link Incident}s in a concurrent map.
 */
public final class IncidentLog implements Notifier.Observer {

  static final int MAX_INCIDENTS = 500;
  private static final Logger LOG = Logger.getLogger(IncidentLog.class.getName());

  private final Path dir;
  private final Executor storage;
  private final Map<String, Incident> incidents = new ConcurrentHashMap<>();

  /** {@code storage} runs blocking writes, in order, off the event loops. */
  public IncidentLog(Path dir, Executor storage) {
    this.dir = dir;
    this.storage = storage;
  }

  /** Reads the incidents on disk; blocking, call once at start from a worker thread. */
  public void load() throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      for (Path p : ds) {
        try {
          Incident i = IncidentJson.read(IncidentJson.MAPPER.readTree(p.toFile()));
          incidents.put(i.id(), i);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "incident file " + p + " is unreadable; skipped", e);
        }
      }
    }
  }

  /** Newest first. */
  public List<Incident> list() {
    List<Incident> out = new ArrayList<>(incidents.values());
    out.sort(Comparator.comparingLong((Incident i) -> i.firing().firedAtMillis()).reversed());
    return out;
  }

  public Incident get(String id) {
    return incidents.get(id);
  }

  /** The firing events of open incidents, with the receivers they went to. */
  public Map<AlertEvent, List<String>> openIncidents() {
    Map<AlertEvent, List<String>> out = new LinkedHashMap<>();
    for (Incident i : list()) {
      if (i.open()) {
        out.put(i.firing(), i.receivers());
      }
    }
    return out;
  }

  @Override
  public void routed(AlertEvent alert, List<String> receivers) {
    if (alert.kind() == AlertEvent.Kind.CHANGED) {
      return; // a stage change is not an incident
    }
    String id = alert.incidentId();
    Incident changed;
    if (alert.kind() == AlertEvent.Kind.FIRING) {
      changed = new Incident(id, alert, null, List.copyOf(receivers), List.of());
    } else {
      Incident known = incidents.get(id);
      changed =
          known != null
              ? known.resolved(alert)
              : new Incident(id, alert, alert, List.copyOf(receivers), List.of());
    }
    put(changed);
  }

  @Override
  public void attempted(
      Notification n, int attempt, long atMillis, RetryPolicy.Attempt result, String next) {
    Incident known = n.incidentId() == null ? null : incidents.get(n.incidentId());
    if (known == null) {
      return;
    }
    put(
        known.withAttempt(
            new Incident.Attempt(
                n.receiver(),
                n.event().wireName(),
                n.idempotencyKey(),
                attempt,
                atMillis,
                result.status(),
                result.error(),
                result.latencyMillis(),
                next,
                result.smtp())));
  }

  private void put(Incident incident) {
    incidents.put(incident.id(), incident);
    List<Incident> evicted = evictOldest();
    byte[] bytes =
        IncidentJson.write(incident).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    storage.execute(
        () -> {
          try {
            AtomicFiles.write(file(incident.id()), bytes);
            for (Incident gone : evicted) {
              Files.deleteIfExists(file(gone.id()));
            }
          } catch (IOException e) {
            LOG.log(Level.SEVERE, "could not write incident " + incident.id(), e);
          }
        });
  }

  private List<Incident> evictOldest() {
    if (incidents.size() <= MAX_INCIDENTS) {
      return List.of();
    }
    List<Incident> resolved = new ArrayList<>();
    for (Incident i : list()) {
      if (!i.open()) {
        resolved.add(i);
      }
    }
    List<Incident> evicted = new ArrayList<>();
    for (int k = resolved.size() - 1; k >= 0 && incidents.size() > MAX_INCIDENTS; k--) {
      incidents.remove(resolved.get(k).id());
      evicted.add(resolved.get(k));
    }
    return evicted;
  }

  private Path file(String id) {
    return dir.resolve(id + ".json");
  }
}
