package io.rollguard.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rollguard.window.Latency;
import java.io.IOException;
import org.HdrHistogram.Histogram;

/**
 * Reads one batch object (SPEC 1.1, or a flat request on an NDJSON line) token by token into {@link
 * Staging}. It checks what an item says on its own: types, required fields, ranges and time stamps.
 * A bad item is counted in {@link IngestOutcome} with its path and skipped; its neighbours are
 * kept. Unknown fields are ignored, so clients may send more than this version reads.
 *
 * <p>Not thread-safe: owned by one {@link Ingestor}.
 */
final class BatchReader {

  private final IngestLimits limits;
  private final LabelSets labelSets;

  BatchReader(IngestLimits limits, LabelSets labelSets) {
    this.limits = limits;
    this.labelSets = labelSets;
  }

  /**
   * Reads the object the parser stands on (its START_OBJECT) up to its END_OBJECT.
   *
   * @throws IOException when the JSON itself is broken; the caller rolls the batch back
   */
  void read(JsonParser p, int index, int line, long nowMillis, Staging staging, IngestOutcome out)
      throws IOException {
    Staging.Batch batch = new Staging.Batch(index, line);
    staging.batches.add(batch);
    batch.requestFrom = staging.requests.size();
    Item item = new Item(batch, out, nowMillis);
    Item batchFields = new Item(batch, out, nowMillis);
    FlatRequest flat = null;
    Item flatItem = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "service" -> {
          if (value == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
            batch.service = p.getText();
          } else {
            batch.service = null;
            p.skipChildren();
          }
        }
        case "labels" -> batch.labels = readLabels(p, "labels", batchFields);
        case "requests" -> readArray(p, "requests", item, () -> readRequest(p, item, staging));
        case "gauges" -> readArray(p, "gauges", item, () -> readGauge(p, item, staging));
        case "checks" -> readArray(p, "checks", item, () -> readCheck(p, item, staging));
        case "histograms" ->
            readArray(p, "histograms", item, () -> readHistogram(p, item, staging));
        case "latency_ms", "ok", "status", "ts" -> {
          if (flat == null) {
            flat = new FlatRequest();
            flatItem = new Item(batch, out, nowMillis);
            flatItem.start(null, -1);
          }
          flat.read(field, p, flatItem);
        }
        default -> p.skipChildren();
      }
    }
    if (flat != null) {
      flat.stage(flatItem, staging);
    }
    batch.requestTo = staging.requests.size();
    batch.problem = batchFields.problem;
  }

  @FunctionalInterface
  private interface ItemBody {
    void read() throws IOException;
  }

  private static void readArray(JsonParser p, String name, Item item, ItemBody body)
      throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      item.start(name, -1);
      item.reject(RejectReason.INVALID, "must be a list");
      p.skipChildren();
      return;
    }
    int i = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      item.start(name, i++);
      if (p.currentToken() != JsonToken.START_OBJECT) {
        item.reject(RejectReason.INVALID, "must be an object");
        p.skipChildren();
        continue;
      }
      body.read();
    }
  }

  private void readRequest(JsonParser p, Item item, Staging staging) throws IOException {
    FlatRequest request = new FlatRequest();
    LabelSets.Set ownLabels = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("labels")) {
        ownLabels = readLabels(p, "labels", item);
      } else {
        request.read(field, p, item);
      }
    }
    request.ownLabels = ownLabels;
    request.stage(item, staging);
  }

  private void readGauge(JsonParser p, Item item, Staging staging) throws IOException {
    NamedPoint point = new NamedPoint(item.nowMillis);
    double value = Double.NaN;
    boolean hasValue = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (point.read(field, p, item, this)) {
        continue;
      }
      if (field.equals("value") && t.isNumeric()) {
        value = p.getDoubleValue();
        hasValue = true;
      } else {
        if (field.equals("value")) {
          item.problem("value must be a number");
        }
        p.skipChildren();
      }
    }
    if (point.checkName(item) && !hasValue) {
      item.problem("value is required");
    } else if (hasValue && !Double.isFinite(value)) {
      item.problem("value must be finite");
    }
    if (item.stageable(point.ts)) {
      staging.gauges.add(new Staging.Gauge(item.batch, point.labels, point.name, point.ts, value));
      item.batch.otherItems++;
    }
  }

  private void readCheck(JsonParser p, Item item, Staging staging) throws IOException {
    NamedPoint point = new NamedPoint(item.nowMillis);
    Boolean ok = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (point.read(field, p, item, this)) {
        continue;
      }
      if (field.equals("ok")) {
        ok = readBoolean(p, item, "ok");
      } else {
        p.skipChildren();
      }
    }
    if (point.checkName(item) && ok == null) {
      item.problem("ok is required");
    }
    if (item.stageable(point.ts)) {
      staging.checks.add(new Staging.Check(item.batch, point.labels, point.name, point.ts, ok));
      item.batch.otherItems++;
    }
  }

  /** The fields gauges and checks share: {@code name}, {@code ts} and {@code labels}. */
  private static final class NamedPoint {
    String name;
    long ts;
    LabelSets.Set labels;

    NamedPoint(long nowMillis) {
      this.ts = nowMillis;
    }

    /** Reads {@code field} if it is one of the shared ones; false otherwise. */
    boolean read(String field, JsonParser p, Item item, BatchReader reader) throws IOException {
      switch (field) {
        case "name" -> name = readString(p, item, "name");
        case "ts" -> ts = readTimestamp(p, item);
        case "labels" -> labels = reader.readLabels(p, "labels", item);
        default -> {
          return false;
        }
      }
      return true;
    }

    /** True when a name was given; else notes the problem. */
    boolean checkName(Item item) {
      if (name == null || name.isEmpty()) {
        item.problem("name is required");
        return false;
      }
      return true;
    }
  }

  /** A string value, or null (with the problem noted and the value skipped). */
  private static String readString(JsonParser p, Item item, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    item.problem(field + " must be a string");
    p.skipChildren();
    return null;
  }

  /** A boolean value, or null (with the problem noted and the value skipped). */
  private static Boolean readBoolean(JsonParser p, Item item, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
      return t == JsonToken.VALUE_TRUE;
    }
    item.problem(field + " must be true or false");
    p.skipChildren();
    return null;
  }

  private void readHistogram(JsonParser p, Item item, Staging staging) throws IOException {
    long start = Long.MIN_VALUE;
    long end = Long.MIN_VALUE;
    String hdr = null;
    long errors = 0;
    LabelSets.Set ownLabels = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "start" -> start = readTimestamp(p, item);
        case "end" -> end = readTimestamp(p, item);
        case "hdr" -> {
          if (t == JsonToken.VALUE_STRING && p.getTextLength() <= limits.maxHistogramBytes() * 2) {
            hdr = p.getText();
          } else {
            item.problem(
                t == JsonToken.VALUE_STRING ? "hdr is too large" : "hdr must be a base64 string");
            p.skipChildren();
          }
        }
        case "errors" -> {
          if (t == JsonToken.VALUE_NUMBER_INT
              && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
              && p.getLongValue() >= 0) {
            errors = p.getLongValue();
          } else {
            item.problem("errors must be a whole number >= 0");
            p.skipChildren();
          }
        }
        case "labels" -> ownLabels = readLabels(p, "labels", item);
        default -> p.skipChildren();
      }
    }
    if (end == Long.MIN_VALUE) {
      item.problem("end is required");
    } else if (start != Long.MIN_VALUE && start > end) {
      item.problem("start must not be after end");
    }
    if (hdr == null) {
      item.problem("hdr is required");
    }
    if (!item.stageable(end)) {
      return; // reported, once
    }
    Histogram decoded;
    try {
      decoded = HistogramDecoder.decode(hdr, limits.maxHistogramBytes());
    } catch (HistogramDecoder.InvalidHistogramException e) {
      item.reject(RejectReason.INVALID, e.getMessage());
      return;
    }
    if (errors > decoded.getTotalCount()) {
      item.reject(
          RejectReason.INVALID,
          "errors ("
              + errors
              + ") exceeds the histogram's count ("
              + decoded.getTotalCount()
              + ")");
      return;
    }
    staging.histograms.add(
        new Staging.Histogram(item.batch, ownLabels, end, decoded, (int) errors));
    item.batch.otherItems++;
  }

  /** A time stamp ({@link Timestamps}); on error notes the problem and returns 0. */
  private static long readTimestamp(JsonParser p, Item item) throws IOException {
    try {
      return Timestamps.read(p);
    } catch (Timestamps.InvalidTimestampException e) {
      item.problem(e.getMessage());
      return 0;
    }
  }

  /**
   * A labels object, interned ({@link LabelSets}): a set seen before costs no allocation. Scalar
   * values are taken as text, null values ignored; anything else is a problem (and null).
   */
  private LabelSets.Set readLabels(JsonParser p, String name, Item item) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      item.problem(name + " must be an object of strings");
      p.skipChildren();
      return null;
    }
    labelSets.start();
    String problem = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_STRING) {
        labelSets.add(key, p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      } else if (t.isScalarValue() && t != JsonToken.VALUE_NULL) {
        labelSets.add(key, p.getText());
      } else if (t != JsonToken.VALUE_NULL) {
        if (problem == null) {
          problem = name + "." + key + " must be a string";
        }
        p.skipChildren();
      }
    }
    if (problem != null) {
      item.problem(problem);
      return null;
    }
    if (labelSets.overflowed()) {
      item.problem(name + " has more than " + LabelSets.MAX_PAIRS + " entries");
      return null;
    }
    return labelSets.intern();
  }

  /** The fields of one request, whether in {@code requests[]} or flat on an NDJSON line. */
  private static final class FlatRequest {
    double latencyMillis = Double.NaN;
    boolean hasLatency;
    Boolean ok;
    int status = -1;
    long ts = Long.MIN_VALUE;
    LabelSets.Set ownLabels;

    void read(String field, JsonParser p, Item item) throws IOException {
      JsonToken t = p.currentToken();
      switch (field) {
        case "latency_ms" -> {
          if (t.isNumeric()) {
            latencyMillis = p.getDoubleValue();
            hasLatency = true;
          } else {
            item.problem("latency_ms must be a number");
            p.skipChildren();
          }
        }
        case "ok" -> ok = readBoolean(p, item, "ok");
        case "status" -> {
          if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            status = p.getIntValue();
          } else {
            item.problem(
                t == JsonToken.VALUE_NUMBER_INT
                    ? "status " + p.getText() + " is out of range"
                    : "status must be a whole number");
            p.skipChildren();
          }
        }
        case "ts" -> ts = readTimestamp(p, item);
        default -> p.skipChildren();
      }
    }

    void stage(Item item, Staging staging) {
      if (!hasLatency) {
        item.problem("latency_ms is required");
      } else if (!Double.isFinite(latencyMillis) || latencyMillis < 0) {
        item.problem("latency_ms must be a finite number >= 0");
      }
      long at = ts == Long.MIN_VALUE ? item.nowMillis : ts;
      if (item.stageable(at)) {
        boolean error = ok != null ? !ok : status >= 500;
        staging.addRequest(at, Latency.millisToMicros(latencyMillis), error, ownLabels);
      }
    }
  }

  /** The item being read: where it stands, and the first problem found with it. */
  private final class Item {
    final Staging.Batch batch;
    final IngestOutcome out;
    final long nowMillis;

    /**
     * Where the current item stands: {@code array[index]}; the path text is built only for errors.
     */
    String array;

    int index = -1;
    String problem;

    Item(Staging.Batch batch, IngestOutcome out, long nowMillis) {
      this.batch = batch;
      this.out = out;
      this.nowMillis = nowMillis;
    }

    void start(String array, int index) {
      this.array = array;
      this.index = index;
      problem = null;
    }

    /** Notes a problem with the current item (the first one wins); returns null for chaining. */
    String problem(String message) {
      if (problem == null) {
        problem = message;
      }
      return null;
    }

    void reject(RejectReason reason, String message) {
      String where = array == null ? "" : index < 0 ? array + ": " : array + "[" + index + "]: ";
      out.reject(reason, 1, batch.index, batch.line, where + message);
    }

    /** True when the item has no problem and {@code tsMillis} may count; else reports why not. */
    boolean stageable(long tsMillis) {
      if (problem != null) {
        reject(RejectReason.INVALID, problem);
        problem = null;
        return false;
      }
      String late = limits.timeProblem(tsMillis, nowMillis, "ts");
      if (late != null) {
        reject(limits.timeReason(tsMillis, nowMillis), late);
        return false;
      }
      return true;
    }
  }
}
