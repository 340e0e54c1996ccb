package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.rollguard.clock.Clock;
import io.rollguard.ingest.OtlpWireAccess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP/HTTP metrics from the real clients services use, against the real server on port 0: the
 * OpenTelemetry Java SDK's OTLP exporter (cumulative and delta temporality, explicit and
 * exponential histograms) and Micrometer's OTLP registry. Counts must be exact, error rates right,
 * quantiles within the bound the server reports for them, and a rule must fire on OTLP data.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class OtlpIngestHttpTest {

  private static final List<Double> HTTP_BOUNDS_S =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");

  @TempDir Path dataDir;

  private final ServerFixture fixture = new ServerFixture();
  private WebClient client;

  private void start(Vertx vertx, String yaml) throws Exception {
    client =
        fixture
            .start(vertx, TestServers.config(dataDir, yaml), Clock.system())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  private String endpoint() {
    return "http://127.0.0.1:" + fixture.server().port() + "/v1/metrics";
  }

  private JsonObject get(String path) throws Exception {
    HttpResponse<Buffer> r =
        client.get(path).send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).as("%s: %s", path, r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private int status(String path) throws Exception {
    return client
        .get(path)
        .send()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS)
        .statusCode();
  }

  private JsonObject query(String selector) throws Exception {
    JsonArray results = get("/api/v1/query?window=5m&" + selector).getJsonArray("results");
    assertThat(results).hasSize(1);
    return results.getJsonObject(0);
  }

  private static SdkMeterProvider provider(
      OtlpHttpMetricExporter exporter, String service, String stage) {
    return SdkMeterProvider.builder()
        .setResource(
            Resource.create(
                Attributes.of(
                    AttributeKey.stringKey("service.name"),
                    service,
                    AttributeKey.stringKey("stage"),
                    stage)))
        // exports only when the test flushes
        .registerMetricReader(
            PeriodicMetricReader.builder(exporter).setInterval(Duration.ofDays(1)).build())
        .build();
  }

  private OtlpHttpMetricExporter exporter(boolean delta, boolean exponential) {
    var b =
        OtlpHttpMetricExporter.builder()
            .setEndpoint(endpoint())
            .setCompression("gzip")
            .setAggregationTemporalitySelector(
                delta
                    ? AggregationTemporalitySelector.deltaPreferred()
                    : AggregationTemporalitySelector.alwaysCumulative());
    if (exponential) {
      b.setDefaultAggregationSelector(
          DefaultAggregationSelector.getDefault()
              .with(InstrumentType.HISTOGRAM, Aggregation.base2ExponentialBucketHistogram()));
    }
    return b.build();
  }

  private static void flush(SdkMeterProvider provider) {
    CompletableResultCode done = provider.forceFlush().join(20, TimeUnit.SECONDS);
    assertThat(done.isSuccess()).as("the export succeeded").isTrue();
  }

  /** Latencies in seconds with a long tail, from one seed. */
  private static double[] latencies(long seed, int n) {
    Random random = new Random(seed);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = 0.040 * Math.exp(random.nextGaussian() * 0.9);
    }
    return out;
  }

  private static double exactQuantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.ceil(q * sorted.length) - 1];
  }

  /** Checks count, errors and p50/p95/p99 of a query result against the values sent (seconds). */
  private static void assertMatches(JsonObject result, double[] sent, long errors) {
    assertThat(result.getLong("count")).isEqualTo(sent.length);
    assertThat(result.getLong("errors")).isEqualTo(errors);
    Double bound = result.getDouble("quantile_relative_error");
    for (String q : List.of("p50", "p95", "p99")) {
      double exact = exactQuantile(sent, Double.parseDouble("0." + q.substring(1))) * 1000;
      double reported = result.getDouble(q);
      if (bound != null) {
        assertThat(Math.abs(reported - exact) / exact)
            .as("%s reported %s exact %s bound %s", q, reported, exact, bound)
            .isLessThanOrEqualTo(bound);
      }
    }
  }

  @Test
  void cumulativeExplicitHistogramsFromTheSdkCountOnceAcrossExportsAndRestarts(Vertx vertx)
      throws Exception {
    start(vertx, "");
    double[] first = latencies(1, 700);
    double[] second = latencies(2, 500);
    double[] afterRestart = latencies(3, 300);
    try (SdkMeterProvider sdk = provider(exporter(false, false), "checkout", "canary")) {
      DoubleHistogram h =
          sdk.get("test")
              .histogramBuilder("http.server.request.duration")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(HTTP_BOUNDS_S)
              .build();
      for (int i = 0; i < first.length; i++) {
        h.record(first[i], Attributes.of(STATUS, i % 10 == 0 ? 503L : 200L, ROUTE, "/pay"));
      }
      flush(sdk);
      // cumulative: the second export repeats the first one's counts; only the new ones count
      for (double v : second) {
        h.record(v, Attributes.of(STATUS, 200L, ROUTE, "/pay"));
      }
      flush(sdk);
      flush(sdk); // nothing new: adds nothing
    }
    // the client restarts: a new SDK, a new start time, counting from zero
    try (SdkMeterProvider sdk = provider(exporter(false, false), "checkout", "canary")) {
      DoubleHistogram h =
          sdk.get("test")
              .histogramBuilder("http.server.request.duration")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(HTTP_BOUNDS_S)
              .build();
      for (double v : afterRestart) {
        h.record(v, Attributes.of(STATUS, 200L, ROUTE, "/pay"));
      }
      flush(sdk);
    }
    double[] all = concat(first, second, afterRestart);
    JsonObject r = query("service=checkout&stage=canary&http.route=/pay");
    assertMatches(r, all, 70);
    assertThat(r.getDouble("error_rate")).isEqualTo(70.0 / all.length);
    // explicit buckets: the bound is the bucket's, far wider than HdrHistogram's 0.39%
    Double p95Bound = r.getDouble("quantile_relative_error");
    assertThat(p95Bound == null || p95Bound > 0.1).as("bound %s", p95Bound).isTrue();
  }

  @Test
  void deltaExponentialHistogramsFromTheSdkAreExactWithinTheirScale(Vertx vertx) throws Exception {
    start(vertx, "");
    double[] sent = latencies(4, 2_000);
    try (SdkMeterProvider sdk = provider(exporter(true, true), "search", "stable")) {
      DoubleHistogram h =
          sdk.get("test").histogramBuilder("http.server.request.duration").setUnit("s").build();
      LongCounter other = sdk.get("test").counterBuilder("jobs.done").build();
      for (int i = 0; i < sent.length; i++) {
        h.record(sent[i], Attributes.of(STATUS, i < 20 ? 500L : 200L, ROUTE, "/q"));
        if (i == sent.length / 2) {
          flush(sdk); // two exports, each a delta
        }
      }
      other.add(42);
      flush(sdk);
    }
    JsonObject r = query("service=search");
    assertMatches(r, sent, 20);
    // 160 buckets per power of two at most: the scale the SDK picked bounds the error tightly
    assertThat(r.getDouble("quantile_relative_error")).isLessThan(0.05);
    JsonObject series = get("/api/v1/series");
    assertThat(series.encode()).contains("jobs.done");
  }

  @Test
  void cumulativeExponentialHistogramsFromTheSdkCountOnce(Vertx vertx) throws Exception {
    start(vertx, "");
    double[] first = latencies(5, 400);
    double[] second = latencies(6, 400);
    try (SdkMeterProvider sdk = provider(exporter(false, true), "cart", "stable")) {
      DoubleHistogram h =
          sdk.get("test").histogramBuilder("http.server.request.duration").setUnit("ms").build();
      for (double v : first) {
        h.record(v * 1000, Attributes.of(ROUTE, "/c"));
      }
      flush(sdk);
      for (double v : second) {
        // far larger values widen the range: the SDK lowers its scale between exports
        h.record(v * 1000 * 50, Attributes.of(ROUTE, "/c"));
      }
      flush(sdk);
    }
    double[] all = concat(first, Arrays.stream(second).map(v -> v * 50).toArray());
    assertMatches(query("service=cart"), all, 0);
  }

  @Test
  void micrometersOtlpRegistryPushesSpringStyleTimers(Vertx vertx) throws Exception {
    start(vertx, "");
    double[] sent = latencies(7, 600);
    for (String temporality : List.of("cumulative", "delta")) {
      Map<String, String> settings =
          Map.of(
              "otlp.url",
              endpoint(),
              "otlp.step",
              // delta: each finished step is sent (a short step, as services would use)
              temporality.equals("delta") ? "1s" : "1h",
              "otlp.aggregationTemporality",
              temporality,
              "otlp.resourceAttributes",
              "service.name=orders-" + temporality + ",stage=canary");
      OtlpMeterRegistry registry =
          new OtlpMeterRegistry(settings::get, io.micrometer.core.instrument.Clock.SYSTEM);
      for (int i = 0; i < sent.length; i++) {
        boolean failed = i % 20 == 0;
        Timer.builder("http.server.requests")
            .tags(
                "uri",
                "/orders",
                "method",
                "POST",
                "status",
                failed ? "500" : "200",
                "outcome",
                failed ? "SERVER_ERROR" : "SUCCESS")
            .publishPercentileHistogram()
            .register(registry)
            .record(Duration.ofNanos((long) (sent[i] * 1e9)));
      }
      if (temporality.equals("cumulative")) {
        registry.close(); // publishes the running totals
      }
      JsonObject r = query("service=orders-" + temporality);
      for (int i = 0; i < 200 && r.getLong("count") < sent.length; i++) {
        vertx.timer(50).toCompletionStage().toCompletableFuture().get();
        r = query("service=orders-" + temporality);
      }
      registry.close();
      assertThat(r.getLong("count")).as(temporality).isEqualTo(sent.length);
      assertThat(r.getLong("errors")).as(temporality).isEqualTo(30);
      assertMatches(r, sent, 30);
    }
  }

  @Test
  void aRuleFiresOnOtlpDataAndReportsTheBucketsBound(Vertx vertx) throws Exception {
    Path rules = dataDir.resolve("rules.yaml");
    Files.writeString(
        rules,
        """
        rules:
          - name: checkout-slow
            select: {service: checkout}
            window: 1m
            when: p95 > 200ms
        """);
    start(vertx, "rules: [" + rules + "]\n");
    try (SdkMeterProvider sdk = provider(exporter(true, false), "checkout", "canary")) {
      DoubleHistogram h =
          sdk.get("test")
              .histogramBuilder("http.server.request.duration")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(HTTP_BOUNDS_S)
              .build();
      for (int i = 0; i < 100; i++) {
        h.record(0.3 + i * 0.001, Attributes.of(STATUS, 200L)); // all in (250 ms, 500 ms]
      }
      flush(sdk);
    }
    JsonObject alerts = null;
    for (int i = 0; i < 200; i++) {
      alerts = get("/api/v1/alerts");
      if (!alerts.getJsonArray("alerts").isEmpty()
          && "firing".equals(alerts.getJsonArray("alerts").getJsonObject(0).getString("state"))) {
        break;
      }
      vertx.timer(50).toCompletionStage().toCompletableFuture().get();
    }
    JsonObject alert = alerts.getJsonArray("alerts").getJsonObject(0);
    assertThat(alert.getString("state")).isEqualTo("firing");
    // the incident is written right after the alert fires
    String incidentPath = "/api/v1/incidents/" + alert.getString("incident_id");
    for (int i = 0; i < 100 && status(incidentPath) == 404; i++) {
      vertx.timer(50).toCompletionStage().toCompletableFuture().get();
    }
    JsonObject incident = get(incidentPath);
    JsonObject p95 = incident.getJsonObject("firing").getJsonArray("slis").getJsonObject(0);
    // recorded at 2*250*500/750 = 333 ms; the bucket bounds it within (500-250)/(500+250) = 33%
    assertThat(p95.getDouble("value")).isBetween(330.0, 337.0);
    assertThat(p95.getDouble("relative_error")).isBetween(0.333, 0.34);
  }

  @Test
  void otlpJsonWithItsQuirksPartialSuccessAndStatusAnswers(Vertx vertx) throws Exception {
    start(vertx, "auth: {ingest_tokens: [{token: t1, services: [api]}]}\n");
    long now = System.currentTimeMillis() * 1_000_000L;
    // 64-bit integers as strings, enums as numbers, an unknown field; one good point, one with
    // a bucket count that does not match, one for a service the token may not write
    String body =
        """
        {"resourceMetrics":[
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
           "futureField":true,
           "scopeMetrics":[{"metrics":[
             {"name":"http.server.request.duration","unit":"s","histogram":{
               "aggregationTemporality":1,
               "dataPoints":[
                 {"timeUnixNano":"%d","count":"3","explicitBounds":[0.1,0.5],
                  "bucketCounts":["1","2","0"],
                  "attributes":[{"key":"http.response.status_code","value":{"intValue":"502"}}]},
                 {"timeUnixNano":"%d","count":"9","explicitBounds":[0.1],"bucketCounts":["1","1"]}
               ]}},
             {"name":"test.pass_rate","gauge":{"dataPoints":[{"timeUnixNano":%d,"asDouble":0.97}]}}
           ]}]},
          {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},
           "scopeMetrics":[{"metrics":[{"name":"up","gauge":{"dataPoints":[
             {"timeUnixNano":"%d","asInt":"1"}]}}]}]}
        ]}
        """
            .formatted(now, now, now, now);
    HttpResponse<Buffer> r = post(body, "application/json", "t1");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject partial = r.bodyAsJsonObject().getJsonObject("partialSuccess");
    assertThat(partial.getString("rejectedDataPoints")).isEqualTo("2");
    assertThat(partial.getString("errorMessage"))
        .contains("count (9) is not the sum of bucketCounts (2)")
        .contains("may not write service 'billing'");
    JsonObject api = query("service=api");
    assertThat(api.getLong("count")).isEqualTo(3);
    assertThat(api.getLong("errors")).isEqualTo(3);
    assertThat(get("/api/v1/series").encode()).contains("test.pass_rate");

    // everything taken: {} exactly; exemplars carry hex trace and span ids in OTLP JSON
    String clean =
        """
        {"resourceMetrics":[{"resource":{"attributes":[
          {"key":"service.name","value":{"stringValue":"api"}}]},
         "scopeMetrics":[{"scope":{"name":"io.example","version":"1.0"},"metrics":[
           {"name":"http.server.request.duration","unit":"s","histogram":{
             "aggregationTemporality":1,"dataPoints":[
               {"timeUnixNano":"%d","count":"2","explicitBounds":[0.1],"bucketCounts":["1","1"],
                "exemplars":[{"timeUnixNano":"%d","asDouble":0.2,
                  "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}}]}]}]}
        """
            .formatted(now, now);
    HttpResponse<Buffer> taken = post(clean, "application/json", "t1");
    assertThat(taken.statusCode()).isEqualTo(200);
    assertThat(taken.bodyAsString()).isEqualTo("{}");
    assertThat(query("service=api").getLong("count")).isEqualTo(5);

    // a point flagged "no recorded value" adds nothing; a token that may write none: 403
    String flagged = clean.replace("\"count\":\"2\"", "\"flags\":1,\"count\":\"2\"");
    assertThat(post(flagged, "application/json", "t1").statusCode()).isEqualTo(200);
    assertThat(query("service=api").getLong("count")).isEqualTo(5);
    HttpResponse<Buffer> forbidden =
        post(clean.replace("\"api\"", "\"billing\""), "application/json", "t1");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.bodyAsJsonObject().getInteger("code")).isEqualTo(7);
    assertThat(forbidden.bodyAsJsonObject().getString("message")).contains("billing");

    // not OTLP at all: 400 with a google.rpc.Status, in JSON and in protobuf
    HttpResponse<Buffer> bad = post("{\"resourceMetrics\": 7}", "application/json", "t1");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getInteger("code")).isEqualTo(3);
    assertThat(bad.bodyAsJsonObject().getString("message")).contains("not OTLP JSON");
    HttpResponse<Buffer> badProto =
        client
            .post("/v1/metrics")
            .putHeader("Content-Type", "application/x-protobuf")
            .putHeader("Authorization", "Bearer t1")
            .sendBuffer(Buffer.buffer(new byte[] {0x0a, 0x7f, 0x01}))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(badProto.statusCode()).isEqualTo(400);
    assertThat(badProto.getHeader("Content-Type")).isEqualTo("application/x-protobuf");
    OtlpWireAccess.Status status = OtlpWireAccess.status(badProto.body().getBytes());
    assertThat(status.code()).isEqualTo(3);
    assertThat(status.message()).contains("not an OTLP protobuf message");
    // no token: 401; not a content type OTLP/HTTP has: 415
    assertThat(post(body, "application/json", null).statusCode()).isEqualTo(401);
    assertThat(post(body, "text/plain", "t1").statusCode()).isEqualTo(415);
  }

  private static io.opentelemetry.proto.common.v1.KeyValue attr(String key, String value) {
    return io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
        .setKey(key)
        .setValue(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  /** One protobuf export built with the proto classes: a histogram, a summary, a bad unit. */
  private static byte[] export(long nowNanos, int copies) {
    var histogram =
        io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
            .setName("rpc.server.duration")
            .setUnit("ms")
            .setHistogram(
                io.opentelemetry.proto.metrics.v1.Histogram.newBuilder()
                    .setAggregationTemporality(
                        io.opentelemetry.proto.metrics.v1.AggregationTemporality
                            .AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(
                        io.opentelemetry.proto.metrics.v1.HistogramDataPoint.newBuilder()
                            .setTimeUnixNano(nowNanos)
                            .setCount(4)
                            .addAllExplicitBounds(List.of(10.0, 100.0))
                            .addAllBucketCounts(List.of(1L, 3L, 0L))
                            .addAttributes(attr("rpc.method", "Get"))
                            .addAttributes(attr("error.type", "timeout"))
                            .addAttributes(attr("server.address", "10.0.0.7"))));
    var summary =
        io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
            .setName("jvm.gc.pause")
            .setSummary(
                io.opentelemetry.proto.metrics.v1.Summary.newBuilder()
                    .addDataPoints(
                        io.opentelemetry.proto.metrics.v1.SummaryDataPoint.newBuilder()
                            .setTimeUnixNano(nowNanos)
                            .setCount(3)));
    var bytes = histogram.clone().setName("http.server.request.duration").setUnit("By");
    var resource =
        io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder()
            .setResource(
                io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                    .addAttributes(attr("service.name", "ledger"))
                    .addAttributes(attr("service.version", "1.4.2"))
                    .addAttributes(attr("k8s.pod.name", "ledger-7f9c"))
                    .addAttributes(attr("host.name", "node-3")))
            .addScopeMetrics(
                io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder()
                    .addMetrics(histogram)
                    .addMetrics(summary)
                    .addMetrics(bytes));
    var request =
        io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder();
    for (int i = 0; i < copies; i++) {
      request.addResourceMetrics(resource);
    }
    return request.build().toByteArray();
  }

  @Test
  void protobufExportsMapAttributesToLabelsAndAnswerInProtobuf(Vertx vertx) throws Exception {
    start(vertx, "limits: {max_body_bytes: 64KiB}\n");
    byte[] body = export(System.currentTimeMillis() * 1_000_000L, 1);
    HttpResponse<Buffer> r =
        client
            .post("/v1/metrics")
            .putHeader("Content-Type", "application/x-protobuf")
            .sendBuffer(Buffer.buffer(body))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/x-protobuf");
    var answer =
        io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse.parseFrom(
            r.body().getBytes());
    assertThat(answer.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
    assertThat(answer.getPartialSuccess().getErrorMessage())
        .contains("unit 'By' is not a time unit");
    JsonObject series = get("/api/v1/series").getJsonArray("series").getJsonObject(0);
    // resource attributes by otlp.resource_labels, point attributes as they are, minus the
    // dropped ones (error.type decides failure, server.address is per connection)
    assertThat(series.getJsonObject("labels").getMap())
        .isEqualTo(
            Map.of(
                "service", "ledger",
                "version", "1.4.2",
                "pod", "ledger-7f9c",
                "rpc.method", "Get"));
    JsonObject q = query("service=ledger");
    assertThat(q.getLong("count")).isEqualTo(4);
    assertThat(q.getLong("errors")).isEqualTo(4); // error.type set: every request failed
    String metrics =
        client
            .get("/metrics")
            .send()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS)
            .bodyAsString();
    assertThat(metrics).contains("rollguard_ingest_ignored_total 1.0"); // the summary

    // over the (decompressed) cap: 413, as a google.rpc.Status
    HttpResponse<Buffer> big =
        client
            .post("/v1/metrics")
            .putHeader("Content-Type", "application/x-protobuf")
            .sendBuffer(Buffer.buffer(export(System.currentTimeMillis() * 1_000_000L, 400)))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(OtlpWireAccess.status(big.body().getBytes()).message()).contains("max_body_bytes");
  }

  /** Seeded corruptions of a valid export: every one gets 200 or 400, never a 5xx or silence. */
  @Test
  void corruptedProtobufBodiesGetAnAnswerAndNeverAServerError(Vertx vertx) throws Exception {
    start(vertx, "");
    byte[] valid = export(System.currentTimeMillis() * 1_000_000L, 3);
    Random random = new Random(12);
    for (int round = 0; round < 300; round++) {
      byte[] body = valid.clone();
      int flips = 1 + random.nextInt(8);
      for (int i = 0; i < flips; i++) {
        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
      }
      if (random.nextBoolean()) {
        body = Arrays.copyOf(body, random.nextInt(body.length));
      }
      HttpResponse<Buffer> r =
          client
              .post("/v1/metrics")
              .putHeader("Content-Type", "application/x-protobuf")
              .sendBuffer(Buffer.buffer(body))
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as("round %d", round).isIn(200, 400);
    }
    assertThat(status("/healthz")).isEqualTo(200);
  }

  private HttpResponse<Buffer> post(String body, String type, String token) throws Exception {
    var req = client.post("/v1/metrics").putHeader("Content-Type", type);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    return req.sendBuffer(Buffer.buffer(body))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static double[] concat(double[]... parts) {
    return Arrays.stream(parts).flatMapToDouble(Arrays::stream).toArray();
  }
}
