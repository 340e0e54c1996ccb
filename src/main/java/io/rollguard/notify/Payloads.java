package io.rollguard.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.rules.SliReading;
import io.rollguard.rules.Type;
import java.util.Map;

/**
 * The JSON pieces several formats share: the SLI readings that make a notification explain itself,
 * label maps, and numbers that may be "no data" (written as null). Stateless.
 */
final class Payloads {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Payloads() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ObjectNode map(Map<String, String> values) {
    ObjectNode o = object();
    values.forEach(o::put);
    return o;
  }

  /** A number, or null for no data (JSON has no NaN). */
  static void number(ObjectNode o, String field, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      o.putNull(field);
    } else {
      o.put(field, value);
    }
  }

  /** {@code [{"expr":"p95","value":812.3,"unit":"ms","samples":1234,"relative_error":0.0039}]}. */
  static ArrayNode readings(AlertEvent a) {
    ArrayNode out = MAPPER.createArrayNode();
    for (SliReading r : a.readings()) {
      ObjectNode o = out.addObject().put("expr", r.expr());
      number(o, "value", r.value());
      o.put("unit", r.type() == Type.DURATION ? "ms" : r.type() == Type.RATIO ? "ratio" : "number")
          .put("text", NotificationText.reading(r))
          .put("samples", r.samples());
      number(o, "relative_error", r.relativeError());
    }
    return out;
  }

  static byte[] bytes(ObjectNode o) {
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values always serializes", e);
    }
  }
}
