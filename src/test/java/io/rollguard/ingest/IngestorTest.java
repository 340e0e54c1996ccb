package io.rollguard.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.clock.ManualClock;
import io.rollguard.window.GaugeAccumulator;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestStats;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class IngestorTest {

  private static final long NOW = 1_763_900_000_000L;

  private final ManualClock clock = new ManualClock(NOW);
  private final SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 1_000, 100);
  private final IngestLimits limits =
      new IngestLimits(1 << 20, 16, 128, 10_000, 3_600_000, 1 << 20);
  private final Ingestor ingestor = new Ingestor(registry, limits, clock);

  private IngestOutcome json(String body) throws MalformedBodyException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return ingestor.ingestJson(bytes, bytes.length, service -> true);
  }

  private RequestStats requests(String... labels) {
    RequestWindow w = registry.requests(Labels.of(labels));
    RequestAccumulator acc = new RequestAccumulator();
    w.addTo(acc, clock.wallTimeMillis(), 60_000);
    return acc.stats(60_000);
  }

  @Test
  void aBatchRecordsItsRequestsGaugesAndChecks() throws Exception {
    IngestOutcome out =
        json(
            """
            {"service": "checkout", "labels": {"stage": "canary"},
             "requests": [
               {"ts": %d, "latency_ms": 123.4, "ok": true},
               {"latency_ms": 812, "status": 503},
               {"latency_ms": 5, "labels": {"endpoint": "/pay"}}
             ],
             "gauges": [{"name": "test_pass_rate", "value": 0.972}],
             "checks": [{"name": "db", "ok": false}]}
            """
                .formatted(NOW - 1_000));
    assertThat(out.accepted()).isEqualTo(5);
    assertThat(out.rejected()).isZero();
    assertThat(out.status()).isEqualTo(200);

    RequestStats canary = requests("service", "checkout", "stage", "canary");
    assertThat(canary.count()).isEqualTo(2);
    assertThat(canary.errors()).isEqualTo(1); // status 503 is an error
    assertThat(requests("service", "checkout", "stage", "canary", "endpoint", "/pay").count())
        .isEqualTo(1);

    GaugeAccumulator gauge = new GaugeAccumulator();
    registry
        .gauge("test_pass_rate", Labels.of("service", "checkout", "stage", "canary"))
        .addTo(gauge, NOW, 60_000);
    assertThat(gauge.stats().last()).isEqualTo(0.972);
    assertThat(
            registry
                .check("db", Labels.of("service", "checkout", "stage", "canary"))
                .stats(NOW, 60_000)
                .failures())
        .isEqualTo(1);
  }

  @Test
  void oneBadItemNeverDiscardsItsGoodNeighbours() throws Exception {
    IngestOutcome out =
        json(
            """
            [{"service": "a", "requests": [
                {"latency_ms": 10},
                {"latency_ms": -1},
                {"latency_ms": "fast"},
                {"ok": true},
                {"latency_ms": 20, "ts": %d},
                {"latency_ms": 30, "ts": %d}]},
             {"requests": [{"latency_ms": 1}]},
             {"service": "b", "gauges": [{"name": "g", "value": "x"}, {"name": "g", "value": 1}]}]
            """
                .formatted(NOW - 2 * 3_600_000, NOW + 60_000));
    assertThat(out.accepted()).isEqualTo(2);
    assertThat(out.rejected()).isEqualTo(7);
    assertThat(out.rejected(RejectReason.TOO_OLD)).isEqualTo(1);
    assertThat(out.rejected(RejectReason.TOO_FAR_IN_FUTURE)).isEqualTo(1);
    assertThat(out.rejected(RejectReason.INVALID)).isEqualTo(5);
    assertThat(out.status()).isEqualTo(200);
    assertThat(out.errors())
        .extracting(IngestOutcome.ItemError::index, IngestOutcome.ItemError::error)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                0, "requests[1]: latency_ms must be a finite number >= 0"),
            org.assertj.core.groups.Tuple.tuple(0, "requests[2]: latency_ms must be a number"),
            org.assertj.core.groups.Tuple.tuple(0, "requests[3]: latency_ms is required"),
            org.assertj.core.groups.Tuple.tuple(1, "service is required (a non-empty string)"),
            org.assertj.core.groups.Tuple.tuple(2, "gauges[0]: value must be a number"));
    assertThat(requests("service", "a").count()).isEqualTo(1);
  }

  @Test
  void aWrongTypedObjectValueDoesNotDerailTheRestOfTheBatch() throws Exception {
    IngestOutcome out =
        json(
            """
            {"service": "a",
             "gauges": [{"name": {"nested": [1, 2]}, "value": {"x": 1}}, {"name": "g", "value": 2}],
             "checks": [{"name": "db", "ok": {"maybe": true}}, {"name": "db", "ok": true}],
             "requests": [{"latency_ms": 4, "ok": [true]}, {"latency_ms": 5}]}
            """);
    assertThat(out.rejected(RejectReason.INVALID)).isEqualTo(3);
    assertThat(out.acceptedGauges()).isEqualTo(1);
    assertThat(out.acceptedChecks()).isEqualTo(1);
    assertThat(out.acceptedRequests()).isEqualTo(1);
    assertThat(out.errors())
        .extracting(IngestOutcome.ItemError::error)
        .containsExactly(
            "gauges[0]: name must be a string",
            "checks[0]: ok must be true or false",
            "requests[0]: ok must be true or false");
  }

  @Test
  void aBodyWithNothingUsableIsA400() throws Exception {
    IngestOutcome out = json("{\"requests\": [{\"latency_ms\": 1}]}");
    assertThat(out.accepted()).isZero();
    assertThat(out.status()).isEqualTo(400);
  }

  @Test
  void aBodyThatIsNotJsonSaysWhereAndRecordsNothing() {
    assertThatThrownBy(
            () -> json("{\"service\": \"a\", \"requests\": [{\"latency_ms\": 1}\n  {oops"))
        .isInstanceOf(MalformedBodyException.class)
        .hasMessageContaining("line 2, column 3");
    assertThat(registry.size()).isZero();
  }

  @Test
  void ndjsonReadsFlatRequestsAndBatchesAndSkipsABrokenLineAcrossChunks() throws Exception {
    String body =
        "{\"service\":\"s\",\"latency_ms\":12.5,\"ok\":true}\n"
            + "{\"service\":\"s\",\"latency_ms\":13,\"ok\":false}\n"
            + "{\"service\":\"s\",\"latency_ms\": oops}\n"
            + "\n"
            + "{\"service\":\"s\",\"requests\":[{\"latency_ms\":1},{\"latency_ms\":2}]}\n"
            + "{\"service\":\"s\",\"latency_ms\":14}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Ingestor.NdjsonStream stream = ingestor.ndjson(service -> true);
    // Feed in 7-byte chunks so that lines are split everywhere.
    for (int from = 0; from < bytes.length; from += 7) {
      byte[] chunk = java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 7));
      stream.accept(chunk, chunk.length);
    }
    IngestOutcome out = stream.finish();
    assertThat(out.accepted()).isEqualTo(5);
    assertThat(out.rejected()).isEqualTo(1);
    assertThat(out.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(3);
              assertThat(e.error()).startsWith("line 3: not valid JSON");
            });
    assertThat(requests("service", "s").count()).isEqualTo(5);
    assertThat(requests("service", "s").errors()).isEqualTo(1);
  }

  @Test
  void ndjsonRecordsEachChunkAsItArrives() throws Exception {
    Ingestor.NdjsonStream stream = ingestor.ndjson(service -> true);
    byte[] first =
        "{\"service\":\"s\",\"latency_ms\":1}\n{\"service\":\"s\","
            .getBytes(StandardCharsets.UTF_8);
    stream.accept(first, first.length);
    // The first complete line is already in the window before the body ends.
    assertThat(requests("service", "s").count()).isEqualTo(1);
    byte[] rest = "\"latency_ms\":2}\n".getBytes(StandardCharsets.UTF_8);
    stream.accept(rest, rest.length);
    assertThat(stream.finish().accepted()).isEqualTo(2);
  }

  @Test
  void anOverlongNdjsonLineStopsTheStream() {
    Ingestor small =
        new Ingestor(registry, new IngestLimits(64, 16, 128, 10_000, 3_600_000, 1 << 20), clock);
    Ingestor.NdjsonStream stream = small.ndjson(service -> true);
    byte[] line =
        ("{\"service\":\"s\",\"latency_ms\":1,\"pad\":\"" + "x".repeat(100))
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> stream.accept(line, line.length))
        .isInstanceOf(LineTooLongException.class);
  }

  @Test
  void aTokenForOtherServicesIsForbidden() throws Exception {
    byte[] body =
        "[{\"service\":\"a\",\"latency_ms\":1},{\"service\":\"b\",\"latency_ms\":1}]"
            .getBytes(StandardCharsets.UTF_8);
    IngestOutcome mixed = ingestor.ingestJson(body, body.length, "a"::equals);
    assertThat(mixed.accepted()).isEqualTo(1);
    assertThat(mixed.rejected(RejectReason.FORBIDDEN)).isEqualTo(1);

    byte[] onlyB = "{\"service\":\"b\",\"latency_ms\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(ingestor.ingestJson(onlyB, onlyB.length, "a"::equals).status()).isEqualTo(403);
  }

  @Test
  void itemLabelsMayNotChangeTheService() throws Exception {
    IngestOutcome out =
        json(
            "{\"service\":\"a\",\"requests\":[{\"latency_ms\":1,\"labels\":{\"service\":\"b\"}}]}");
    assertThat(out.rejected(RejectReason.LABELS)).isEqualTo(1);
    assertThat(registry.size()).isZero();
  }

  @Test
  void labelLimitsAreEnforced() throws Exception {
    Ingestor strict =
        new Ingestor(registry, new IngestLimits(1 << 20, 2, 8, 10_000, 3_600_000, 1 << 20), clock);
    byte[] body =
        "[{\"service\":\"a\",\"labels\":{\"x\":\"1\",\"y\":\"2\"},\"latency_ms\":1},{\"service\":\"a\",\"labels\":{\"x\":\"123456789\"},\"latency_ms\":1},{\"service\":\"a\",\"labels\":{\"x\":\"1\"},\"latency_ms\":1}]"
            .getBytes(StandardCharsets.UTF_8);
    IngestOutcome out = strict.ingestJson(body, body.length, s -> true);
    assertThat(out.rejected(RejectReason.LABELS)).isEqualTo(2);
    assertThat(out.accepted()).isEqualTo(1);
  }

  @Test
  void theCardinalityCapRefusesNewSeriesButNotExistingOnes() throws Exception {
    SeriesRegistry capped = new SeriesRegistry(WindowSettings.defaults(), 1_000, 1);
    Ingestor ingest = new Ingestor(capped, limits, clock);
    byte[] first =
        "{\"service\":\"a\",\"labels\":{\"pod\":\"1\"},\"latency_ms\":1}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(ingest.ingestJson(first, first.length, s -> true).accepted()).isEqualTo(1);
    byte[] second =
        "{\"service\":\"a\",\"labels\":{\"pod\":\"2\"},\"latency_ms\":1}"
            .getBytes(StandardCharsets.UTF_8);
    IngestOutcome refused = ingest.ingestJson(second, second.length, s -> true);
    assertThat(refused.rejected(RejectReason.CARDINALITY)).isEqualTo(1);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(ingest.ingestJson(first, first.length, s -> true).accepted()).isEqualTo(1);
  }

  @Test
  void aPreAggregatedHistogramCountsItsRequestsAndErrors() throws Exception {
    Histogram h = new Histogram(3_600_000_000L, 3);
    for (int i = 1; i <= 1_000; i++) {
      h.recordValue(i * 100L); // 0.1 .. 100 ms
    }
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    String hdr =
        Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    assertThat(hdr).startsWith("HISTF");
    IngestOutcome out =
        json(
            "{\"service\":\"h\",\"histograms\":[{\"start\":%d,\"end\":%d,\"hdr\":\"%s\",\"errors\":12}]}"
                .formatted(NOW - 10_000, NOW, hdr));
    assertThat(out.acceptedHistograms()).isEqualTo(1);
    RequestStats stats = requests("service", "h");
    assertThat(stats.count()).isEqualTo(1_000);
    assertThat(stats.errors()).isEqualTo(12);
    assertThat(stats.p50Millis()).isCloseTo(50, org.assertj.core.api.Assertions.within(0.5));
  }

  @Test
  void aHistogramThatIsNotHdrIsRejectedWithAReason() throws Exception {
    String bomb =
        Base64.getEncoder().encodeToString("not a histogram".getBytes(StandardCharsets.UTF_8));
    IngestOutcome out =
        json(
            "{\"service\":\"h\",\"histograms\":[{\"end\":%d,\"hdr\":\"%s\"}]}"
                .formatted(NOW, bomb));
    assertThat(out.rejected(RejectReason.INVALID)).isEqualTo(1);
    assertThat(out.errors().get(0).error()).contains("HISTF");
  }

  @Test
  void rfc3339TimeStampsAreAccepted() throws Exception {
    String ts = java.time.Instant.ofEpochMilli(NOW - 5_000).toString();
    IngestOutcome out =
        json("{\"service\":\"t\",\"requests\":[{\"ts\":\"%s\",\"latency_ms\":1}]}".formatted(ts));
    assertThat(out.accepted()).isEqualTo(1);
  }

  private IngestOutcome ndjson(String body) throws LineTooLongException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Ingestor.NdjsonStream stream = ingestor.ndjson(service -> true);
    stream.accept(bytes, bytes.length);
    return stream.finish();
  }

  @Test
  void aFlatNdjsonRequestIsValidatedExactlyLikeAnItemOfRequests() throws Exception {
    String bad =
        """
        {"service":"a","latency_ms":5,"status":"503"}
        {"service":"a","latency_ms":5,"ok":"false"}
        {"service":"a","latency_ms":"5"}
        """;
    IngestOutcome flat = ndjson(bad);
    IngestOutcome items =
        json(
            """
            {"service":"a","requests":[
              {"latency_ms":5,"status":"503"},{"latency_ms":5,"ok":"false"},{"latency_ms":"5"}]}
            """);
    assertThat(flat.accepted()).isZero();
    assertThat(flat.rejected(RejectReason.INVALID)).isEqualTo(3);
    assertThat(flat.errors())
        .extracting(IngestOutcome.ItemError::error)
        .containsExactly(
            "status must be a whole number",
            "ok must be true or false",
            "latency_ms must be a number");
    assertThat(items.errors())
        .extracting(IngestOutcome.ItemError::error)
        .containsExactly(
            "requests[0]: status must be a whole number",
            "requests[1]: ok must be true or false",
            "requests[2]: latency_ms must be a number");
    assertThat(registry.size()).isZero();
  }

  @Test
  void batchLabelsThatAreNotAnObjectOfStringsRejectTheBatchInsteadOfBeingDropped()
      throws Exception {
    IngestOutcome out =
        json(
            """
            [{"service":"c","labels":["stage","canary"],"requests":[{"latency_ms":1}]},
             {"service":"c","labels":{"stage":{"v":"canary"}},"latency_ms":1},
             {"service":"c","labels":{"stage":"canary"},"latency_ms":1}]
            """);
    assertThat(out.accepted()).isEqualTo(1);
    assertThat(out.rejected(RejectReason.INVALID)).isEqualTo(2);
    assertThat(out.errors())
        .extracting(IngestOutcome.ItemError::index, IngestOutcome.ItemError::error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, "labels must be an object of strings"),
            org.assertj.core.groups.Tuple.tuple(1, "labels.stage must be a string"));
    // nothing landed in the label-less series a canary would share with its baseline
    assertThat(requests("service", "c").count()).isZero();
    assertThat(requests("service", "c", "stage", "canary").count()).isEqualTo(1);
  }

  @Test
  void anOutOfRangeNumberRejectsItsItemAloneNotTheBody() throws Exception {
    IngestOutcome out =
        json(
            """
            {"service":"a","requests":[
              {"latency_ms":1,"status":99999999999},
              {"latency_ms":1,"ts":99999999999999999999},
              {"latency_ms":1,"ts":1e300},
              {"latency_ms":1}],
             "histograms":[{"end":1,"hdr":"HISTF","errors":99999999999999999999}]}
            """);
    assertThat(out.status()).isEqualTo(200);
    assertThat(out.accepted()).isEqualTo(1);
    assertThat(out.rejected(RejectReason.INVALID)).isEqualTo(4);
    assertThat(out.errors())
        .extracting(IngestOutcome.ItemError::error)
        .containsExactly(
            "requests[0]: status 99999999999 is out of range",
            "requests[1]: ts 99999999999999999999 is out of range",
            "requests[2]: ts 1e300 is out of range",
            "histograms[0]: errors must be a whole number >= 0");
  }

  @Test
  void aDecimalTimeStampDropsItsFraction() throws Exception {
    IngestOutcome out =
        json(
            "{\"service\":\"t\",\"requests\":[{\"ts\":%d.75,\"latency_ms\":1}]}"
                .formatted(NOW - 1));
    assertThat(out.accepted()).isEqualTo(1);
    assertThat(Timestamps.parse((NOW - 1) + ".75", false)).isEqualTo(NOW - 1);
    assertThat(Timestamps.parse("1.7639e12", false)).isEqualTo(1_763_900_000_000L);
  }

  @Test
  void aTruncatedNdjsonLineLosesOnlyItselfAndIsNamedByItsOwnLine() throws Exception {
    IngestOutcome out =
        ndjson(
            """
            {"service": "a", "latency_ms":\s
            {"service": "a", "latency_ms": 2}
            {"service": "a", "latency_ms": 3} {"service": "a", "latency_ms": 4}
            {"service": "a", "requests": [{"latency_ms": 5}, {"latency_ms": -1}, {"latency_ms":
            {"service": "a", "latency_ms": 6}
            """);
    assertThat(out.accepted()).isEqualTo(2); // lines 2 and 5
    assertThat(out.errors()).extracting(IngestOutcome.ItemError::line).containsExactly(1, 3, 4);
    assertThat(out.errors().get(0).error()).startsWith("line 1: not valid JSON");
    assertThat(out.errors().get(1).error())
        .isEqualTo("line 3: not valid JSON: more than one JSON value on the line");
    // line 4: two requests read before it broke (one of them invalid) count once each
    assertThat(out.rejected()).isEqualTo(1 + 1 + 2);
    assertThat(requests("service", "a").count()).isEqualTo(2);
  }

  @Test
  void aStaleHistogramIsRejectedOnce() throws Exception {
    Histogram h = new Histogram(3_600_000_000L, 2);
    h.recordValue(1_000);
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    String hdr =
        Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    IngestOutcome out =
        json(
            "{\"service\":\"h\",\"histograms\":[{\"end\":%d,\"hdr\":\"%s\"},{\"end\":%d,\"hdr\":\"%s\"}]}"
                .formatted(NOW - 2 * 3_600_000, hdr, NOW + 3_600_000, hdr));
    assertThat(out.rejected()).isEqualTo(2);
    assertThat(out.rejected(RejectReason.TOO_OLD)).isEqualTo(1);
    assertThat(out.rejected(RejectReason.TOO_FAR_IN_FUTURE)).isEqualTo(1);
    assertThat(out.errors()).hasSize(2);
  }

  @Test
  @org.junit.jupiter.api.Timeout(10)
  void aZlibStreamThatWantsAPresetDictionaryIsRefusedWithoutSpinning() throws Exception {
    IngestOutcome out =
        json(
            "{\"service\":\"h\",\"histograms\":[{\"end\":%d,\"hdr\":\"%s\"}]}"
                .formatted(
                    NOW, "HISTFAAAACd4+VUmCCOTaZkszMDAwMwAAUxQmhFEXJu8hMH+A0TgOCMTAGEYBVM="));
    assertThat(out.errors())
        .extracting(IngestOutcome.ItemError::error)
        .containsExactly("histograms[0]: hdr asks for a preset zlib dictionary");
  }
}
