package io.rollguard.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

/** Ingest bodies as a busy client would send them: one series, lognormal latencies, 1% errors. */
public final class Batches {

  private Batches() {}

  /**
   * A JSON batch of {@code samples} requests for series {@code series} of {@code service}; each
   * request carries {@code tsMillis} when it is not negative.
   */
  public static byte[] requestBatch(
      String service, String series, int samples, long tsMillis, long seed) {
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder(samples * 40 + 100);
    sb.append("{\"service\":\"")
        .append(service)
        .append("\",\"labels\":{\"series\":\"")
        .append(series)
        .append("\"},\"requests\":[");
    for (int i = 0; i < samples; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append('{');
      if (tsMillis >= 0) {
        sb.append("\"ts\":").append(tsMillis).append(',');
      }
      double latency = Math.exp(4 + 0.6 * random.nextGaussian());
      sb.append("\"latency_ms\":").append(String.format(Locale.ROOT, "%.1f", latency));
      sb.append(",\"ok\":").append(random.nextInt(100) != 0).append('}');
    }
    sb.append("]}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
