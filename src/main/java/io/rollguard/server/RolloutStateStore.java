package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.rollout.RolloutEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The live stage of every rollout and its rollback, in {@code data_dir/state/rollouts.json},
 * replaced atomically whenever a stage is set or a rollback fires, so a restart neither forgets
 * where a rollout stands nor calls the rollback receivers again. Blocking: use from the storage
 * worker only. Stateless apart from the file.
 */
final class RolloutStateStore {

  private final StateFile<RolloutEngine.SavedStage> file;

  RolloutStateStore(Path dataDir) {
    this.file =
        new StateFile<>(
            dataDir,
            "rollouts.json",
            "rollouts",
            new StateFile.Codec<>() {
              @Override
              public void write(RolloutEngine.SavedStage s, ObjectNode o) {
                o.put("rollout", s.rollout())
                    .put("stage", s.stage())
                    .put("stage_since", s.stageSinceMillis())
                    .put("stage_set", s.stageSet())
                    .put("attempt", s.attempt())
                    .put("rollback_incident_id", s.rollbackIncidentId())
                    .put("rollback_fired_at", s.rollbackFiredAtMillis());
                var reasons = o.putArray("rollback_reasons");
                s.rollbackReasons().forEach(reasons::add);
              }

              @Override
              public RolloutEngine.SavedStage read(JsonNode o) {
                List<String> reasons = new ArrayList<>();
                o.path("rollback_reasons").forEach(r -> reasons.add(r.asText()));
                return new RolloutEngine.SavedStage(
                    o.path("rollout").asText(),
                    o.path("stage").asText(),
                    o.path("stage_since").asLong(),
                    o.path("stage_set").asBoolean(),
                    o.path("attempt").asInt(1),
                    o.path("rollback_incident_id").isTextual()
                        ? o.path("rollback_incident_id").asText()
                        : null,
                    o.path("rollback_fired_at").asLong(),
                    List.copyOf(reasons));
              }
            });
  }

  void save(List<RolloutEngine.SavedStage> stages) throws IOException {
    file.save(stages);
  }

  List<RolloutEngine.SavedStage> load() throws IOException {
    return file.load().items();
  }

  /** How one item of this file reads and writes. */
  StateFile.Codec<RolloutEngine.SavedStage> codec() {
    return file.codec();
  }
}
