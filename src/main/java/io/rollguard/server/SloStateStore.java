package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.InstanceState;
import io.rollguard.slo.SloEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SLO counts and tier states, in {@code data_dir/state/slos.json}, replaced atomically every minute
 * and whenever a tier changes, so a restart loses at most a minute of counts (plus the time the
 * server was down) and neither re-pages nor forgets a firing tier. Blocking: use from the storage
 * worker only. Stateless apart from the file.
 */
final class SloStateStore {

  private final StateFile<SloEngine.SavedSlo> file;

  SloStateStore(Path dataDir) {
    this.file =
        new StateFile<>(
            dataDir,
            "slos.json",
            "slos",
            new StateFile.Codec<>() {
              @Override
              public void write(SloEngine.SavedSlo s, ObjectNode o) {
                o.put("name", s.name()).put("counting", s.counting());
                var counts = o.putArray("counts");
                for (long[] resolution : s.counts()) {
                  var triples = counts.addArray();
                  for (long v : resolution) {
                    triples.add(v);
                  }
                }
                ObjectNode tiers = o.putObject("tiers");
                s.tiers().forEach((tier, st) -> StateJson.write(tiers.putObject(tier), st));
              }

              @Override
              public SloEngine.SavedSlo read(JsonNode o) {
                List<long[]> counts = new ArrayList<>();
                for (JsonNode resolution : o.path("counts")) {
                  long[] triples = new long[resolution.size()];
                  for (int i = 0; i < triples.length; i++) {
                    triples[i] = resolution.get(i).asLong();
                  }
                  counts.add(triples);
                }
                Map<String, InstanceState> tiers = new LinkedHashMap<>();
                for (var e : o.path("tiers").properties()) {
                  tiers.put(e.getKey(), StateJson.read(e.getValue()));
                }
                return new SloEngine.SavedSlo(
                    o.path("name").asText(), o.path("counting").asText(), counts, tiers);
              }
            });
  }

  void save(List<SloEngine.SavedSlo> slos) throws IOException {
    file.save(slos);
  }

  List<SloEngine.SavedSlo> load() throws IOException {
    return file.load().items();
  }

  /** How one item of this file reads and writes. */
  StateFile.Codec<SloEngine.SavedSlo> codec() {
    return file.codec();
  }
}
