package io.rollguard.benchmarks.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The "many series per body" shape of issue #12, as real clients send it: each body is an array of
 * 10 batches (10 services), each with 100 requests that carry their own labels {@code endpoint}
 * (25) and {@code stage} (4), so one body holds 1,000 samples over 1,000 distinct series. Writes
 * {@code bodies} such bodies twice from one seed: as Rollguard JSON, and as the same samples in the
 * Prometheus text format VictoriaMetrics imports ({@code /api/v1/import/prometheus}), one sample
 * per line. Bodies are separated by a line holding only {@link #SEPARATOR}.
 *
 * <p>Optionally also as OTLP/HTTP protobuf exports ({@code ExportMetricsServiceRequest}, one file
 * per body in a directory): one resource per service, one delta explicit-bucket histogram point of
 * {@code http.server.request.duration} (ms, OpenTelemetry's default bounds) per series and status.
 * With {@code samplesPerPoint} 1 the points hold exactly the JSON body's samples (one per point:
 * OTLP's worst case); with more, each point also holds that many more draws, as an SDK exporting
 * every few seconds would send.
 *
 * <p>And optionally as Prometheus remote write 1.0 bodies (Snappy-compressed {@code WriteRequest}s,
 * one file per body): the Prometheus text samples as they are, one series and one sample each.
 *
 * <p>Arguments: seed, bodies, JSON file, Prometheus text file [, OTLP directory, samplesPerPoint [,
 * remote write directory]].
 */
public final class ManySeriesBodies {

  public static final String SEPARATOR = "----8<----";

  static final String[] STAGES = {"stable", "canary", "gradual", "majority"};

  /** One body in Rollguard's JSON, drawn from {@code random}. */
  public static byte[] jsonBody(Random random) {
    StringBuilder j = new StringBuilder("[");
    for (int s = 0; s < 10; s++) {
      j.append(s > 0 ? "," : "")
          .append("{\"service\":\"svc-")
          .append(s)
          .append("\",\"requests\":[");
      int i = 0;
      for (int e = 0; e < 25; e++) {
        for (String stage : STAGES) {
          j.append(i++ > 0 ? "," : "")
              .append(
                  String.format(
                      Locale.ROOT,
                      "{\"latency_ms\":%.2f,\"ok\":%b,\"labels\":{\"endpoint\":\"/api/e%02d\",\"stage\":\"%s\"}}",
                      40 * Math.exp(0.5 * random.nextGaussian()),
                      random.nextDouble() >= 0.01,
                      e,
                      stage));
        }
      }
      j.append("]}");
    }
    return j.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** OpenTelemetry's default explicit bucket bounds (here in ms). */
  static final double[] OTEL_BOUNDS = {
    0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000
  };

  /**
   * One delta histogram point: {@code latency} plus {@code more} draws of the same distribution.
   */
  static io.opentelemetry.proto.metrics.v1.HistogramDataPoint point(
      long nowNanos,
      String endpoint,
      String stage,
      boolean ok,
      double latency,
      int more,
      Random random) {
    long[] counts = new long[OTEL_BOUNDS.length + 1];
    counts[bucket(latency)]++;
    for (int i = 0; i < more; i++) {
      counts[bucket(40 * Math.exp(0.5 * random.nextGaussian()))]++;
    }
    var b =
        io.opentelemetry.proto.metrics.v1.HistogramDataPoint.newBuilder()
            .setStartTimeUnixNano(nowNanos - 1_000_000_000L)
            .setTimeUnixNano(nowNanos)
            .setCount(1 + more)
            .addAttributes(attribute("endpoint", endpoint))
            .addAttributes(attribute("stage", stage))
            .addAttributes(
                io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                    .setKey("http.response.status_code")
                    .setValue(
                        io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                            .setIntValue(ok ? 200 : 500)));
    for (double bound : OTEL_BOUNDS) {
      b.addExplicitBounds(bound);
    }
    for (long c : counts) {
      b.addBucketCounts(c);
    }
    return b.build();
  }

  private static int bucket(double value) {
    int i = 0;
    while (i < OTEL_BOUNDS.length && value > OTEL_BOUNDS[i]) {
      i++;
    }
    return i;
  }

  private static io.opentelemetry.proto.common.v1.KeyValue attribute(String key, String value) {
    return io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
        .setKey(key)
        .setValue(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  public static void main(String[] args) throws IOException {
    long seed = Long.parseLong(args[0]);
    int bodies = Integer.parseInt(args[1]);
    Random random = new Random(seed);
    Path otlpDir = args.length > 4 ? Path.of(args[4]) : null;
    int perPoint = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    Path writeDir = args.length > 6 ? Path.of(args[6]) : null;
    if (writeDir != null) {
      Files.createDirectories(writeDir);
    }
    if (otlpDir != null) {
      Files.createDirectories(otlpDir);
    }
    try (BufferedWriter json = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8);
        BufferedWriter prom = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8)) {
      for (int b = 0; b < bodies; b++) {
        StringBuilder j = new StringBuilder("[");
        StringBuilder p = new StringBuilder();
        var export =
            io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder();
        long nowNanos = System.currentTimeMillis() * 1_000_000L;
        var write = new io.rollguard.ingest.RemoteWriteBodies();
        for (int s = 0; s < 10; s++) {
          String service = "svc-" + s;
          var histogram =
              io.opentelemetry.proto.metrics.v1.Histogram.newBuilder()
                  .setAggregationTemporality(
                      io.opentelemetry.proto.metrics.v1.AggregationTemporality
                          .AGGREGATION_TEMPORALITY_DELTA);
          j.append(s > 0 ? "," : "")
              .append("{\"service\":\"")
              .append(service)
              .append("\",\"requests\":[");
          int i = 0;
          for (int e = 0; e < 25; e++) {
            for (String stage : STAGES) {
              double latency = 40 * Math.exp(0.5 * random.nextGaussian());
              boolean ok = random.nextDouble() >= 0.01;
              String endpoint = String.format(Locale.ROOT, "/api/e%02d", e);
              j.append(i++ > 0 ? "," : "")
                  .append(
                      String.format(
                          Locale.ROOT,
                          "{\"latency_ms\":%.2f,\"ok\":%b,\"labels\":{\"endpoint\":\"%s\",\"stage\":\"%s\"}}",
                          latency,
                          ok,
                          endpoint,
                          stage));
              p.append(
                  String.format(
                      Locale.ROOT,
                      "request_latency_ms{service=\"%s\",endpoint=\"%s\",stage=\"%s\",ok=\"%b\"} %.2f\n",
                      service,
                      endpoint,
                      stage,
                      ok,
                      latency));
              if (writeDir != null) {
                write.series(
                    new String[] {
                      "__name__", "request_latency_ms",
                      "service", service,
                      "endpoint", endpoint,
                      "stage", stage,
                      "ok", Boolean.toString(ok)
                    },
                    new double[] {Math.round(latency * 100) / 100.0},
                    new long[] {nowNanos / 1_000_000L});
              }
              if (otlpDir != null) {
                histogram.addDataPoints(
                    point(nowNanos, endpoint, stage, ok, latency, perPoint - 1, random));
              }
            }
          }
          j.append("]}");
          export.addResourceMetrics(
              io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder()
                  .setResource(
                      io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                          .addAttributes(attribute("service.name", service)))
                  .addScopeMetrics(
                      io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder()
                          .addMetrics(
                              io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
                                  .setName("http.server.request.duration")
                                  .setUnit("ms")
                                  .setHistogram(histogram))));
        }
        if (otlpDir != null) {
          Files.write(otlpDir.resolve("body-" + b + ".pb"), export.build().toByteArray());
        }
        if (writeDir != null) {
          Files.write(writeDir.resolve("body-" + b + ".snappy"), write.snappy());
        }
        json.write(j.append(']').toString());
        json.write("\n" + SEPARATOR + "\n");
        prom.write(p.toString());
        prom.write(SEPARATOR + "\n");
      }
    }
  }
}
