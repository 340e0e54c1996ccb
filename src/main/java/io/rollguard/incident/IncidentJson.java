package io.rollguard.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.notify.AlertEventJson;
import java.util.ArrayList;
import java.util.List;

/** Incidents on disk: every field, read back as written. Stateless. */
final class IncidentJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private IncidentJson() {}

  static ObjectNode write(Incident i) {
    ObjectNode o = MAPPER.createObjectNode().put("id", i.id());
    o.set("firing", AlertEventJson.write(i.firing()));
    if (i.resolution() != null) {
      o.set("resolution", AlertEventJson.write(i.resolution()));
    }
    var receivers = o.putArray("receivers");
    i.receivers().forEach(receivers::add);
    var attempts = o.putArray("attempts");
    for (Incident.Attempt a : i.attempts()) {
      attempts
          .addObject()
          .put("receiver", a.receiver())
          .put("event", a.event())
          .put("key", a.key())
          .put("attempt", a.attempt())
          .put("at", a.atMillis())
          .put("status", a.status())
          .put("error", a.error())
          .put("latency_ms", a.latencyMillis())
          .put("next", a.next())
          .put("smtp", a.smtp());
    }
    return o;
  }

  static Incident read(JsonNode o) {
    List<String> receivers = new ArrayList<>();
    o.path("receivers").forEach(r -> receivers.add(r.asText()));
    List<Incident.Attempt> attempts = new ArrayList<>();
    for (JsonNode a : o.path("attempts")) {
      attempts.add(
          new Incident.Attempt(
              a.path("receiver").asText(),
              a.path("event").asText(),
              a.path("key").asText(),
              a.path("attempt").asInt(),
              a.path("at").asLong(),
              a.path("status").asInt(),
              a.path("error").isTextual() ? a.path("error").asText() : null,
              a.path("latency_ms").asLong(),
              a.path("next").asText(),
              a.path("smtp").asBoolean(false)));
    }
    return new Incident(
        o.path("id").asText(),
        AlertEventJson.read(o.path("firing")),
        o.has("resolution") ? AlertEventJson.read(o.path("resolution")) : null,
        List.copyOf(receivers),
        List.copyOf(attempts));
  }
}
