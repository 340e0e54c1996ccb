package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;

/** An alert instance's state as the state files keep it (alerts, SLO tiers). Stateless. */
final class StateJson {

  private StateJson() {}

  static ObjectNode write(ObjectNode into, InstanceState st) {
    return into.put("phase", st.phase().name())
        .put("pending_since", st.pendingSinceMillis())
        .put("consecutive", st.consecutiveTrue())
        .put("fired_at", st.firedAtMillis())
        .put("last_true", st.lastTrueMillis())
        .put("incident_id", st.incidentId());
  }

  static InstanceState read(JsonNode o) {
    return new InstanceState(
        Phase.valueOf(o.path("phase").asText()),
        o.path("pending_since").asLong(),
        o.path("consecutive").asInt(),
        o.path("fired_at").asLong(),
        o.path("last_true").asLong(),
        o.path("incident_id").isTextual() ? o.path("incident_id").asText() : null);
  }
}
