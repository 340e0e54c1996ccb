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
 * <p>Arguments: seed, bodies, JSON file, Prometheus text file.
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

  public static void main(String[] args) throws IOException {
    long seed = Long.parseLong(args[0]);
    int bodies = Integer.parseInt(args[1]);
    Random random = new Random(seed);
    try (BufferedWriter json = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8);
        BufferedWriter prom = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8)) {
      for (int b = 0; b < bodies; b++) {
        StringBuilder j = new StringBuilder("[");
        StringBuilder p = new StringBuilder();
        for (int s = 0; s < 10; s++) {
          String service = "svc-" + s;
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
            }
          }
          j.append("]}");
        }
        json.write(j.append(']').toString());
        json.write("\n" + SEPARATOR + "\n");
        prom.write(p.toString());
        prom.write(SEPARATOR + "\n");
      }
    }
  }
}
