package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.report.RolloutJournal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What reports need to outlive a restart, in two state files: {@code reports.json} (the last slot
 * each report was sent for, so a restart around the scheduled time sends it once) and {@code
 * rollout-journal.json} (what rollouts did, for the reports' rollout section). Blocking file I/O:
 * storage worker (slots) and rules worker (journal) only, each writing its own file.
 */
final class ReportStateStore {

  /** The last slot {@code report} was sent for: its start and its name. */
  record Sent(String report, long slotMillis, String slot) {}

  private final StateFile<Sent> sent;
  private final StateFile<RolloutJournal.Entry> journal;

  ReportStateStore(Path dataDir) {
    this.sent =
        new StateFile<>(
            dataDir,
            "reports.json",
            "reports",
            new StateFile.Codec<>() {
              @Override
              public void write(Sent s, ObjectNode o) {
                o.put("report", s.report()).put("slot_at", s.slotMillis()).put("slot", s.slot());
              }

              @Override
              public Sent read(JsonNode o) {
                return new Sent(
                    o.path("report").asText(), o.path("slot_at").asLong(), o.path("slot").asText());
              }
            });
    this.journal =
        new StateFile<>(
            dataDir,
            "rollout-journal.json",
            "entries",
            new StateFile.Codec<>() {
              @Override
              public void write(RolloutJournal.Entry e, ObjectNode o) {
                o.put("rollout", e.rollout())
                    .put("at", e.atMillis())
                    .put("event", e.event())
                    .put("stage", e.stage())
                    .put("attempt", e.attempt());
                var reasons = o.putArray("reasons");
                e.reasons().forEach(reasons::add);
              }

              @Override
              public RolloutJournal.Entry read(JsonNode o) {
                List<String> reasons = new ArrayList<>();
                o.path("reasons").forEach(r -> reasons.add(r.asText()));
                return new RolloutJournal.Entry(
                    o.path("rollout").asText(),
                    o.path("at").asLong(),
                    o.path("event").asText(),
                    o.path("stage").asText(),
                    o.path("attempt").asInt(1),
                    reasons);
              }
            });
  }

  void saveSent(List<Sent> slots) throws IOException {
    sent.save(slots);
  }

  List<Sent> loadSent() throws IOException {
    return sent.load().items();
  }

  void saveJournal(List<RolloutJournal.Entry> entries) throws IOException {
    journal.save(entries);
  }

  List<RolloutJournal.Entry> loadJournal() throws IOException {
    return journal.load().items();
  }
}
