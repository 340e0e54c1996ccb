package io.rollguard.benchmarks.load;

import io.rollguard.benchmarks.Batches;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Pushes pre-built 1,000-sample JSON batches (one series each, round robin over {@code --series})
 * to a Rollguard at {@code --url} for {@code --seconds}, with {@code --connections} requests in
 * flight, and prints accepted samples per second and request latency. Bounded in time; it stops by
 * itself. Loopback only: it refuses any other host. {@code --url} may list several nodes of a
 * cluster (comma-separated): the connections are spread over them. {@code --services K} spreads the
 * series over K values of the {@code service} label (default 1, "load"), so a cluster's partitions
 * share them.
 */
public final class LoadGenerator {

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:8080";
    int series = 1_000;
    int samples = 1_000;
    int seconds = 20;
    int connections = 8;
    int services = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--series" -> series = Integer.parseInt(args[i + 1]);
        case "--samples" -> samples = Integer.parseInt(args[i + 1]);
        case "--seconds" -> seconds = Math.min(600, Integer.parseInt(args[i + 1]));
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--services" -> services = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<URI> targets = new ArrayList<>();
    for (String u : url.split(",")) {
      URI target = URI.create(u.trim());
      if (!target.getHost().equals("127.0.0.1") && !target.getHost().equals("localhost")) {
        throw new IllegalArgumentException(
            "the load generator only targets loopback, not " + target.getHost());
      }
      targets.add(target);
    }

    List<Buffer> bodies = new ArrayList<>(series);
    long bodyBytes = 0;
    for (int s = 0; s < series; s++) {
      String service = services == 1 ? "load" : String.format("svc-%03d", s % services);
      byte[] body = Batches.requestBatch(service, String.format("s-%05d", s), samples, -1, s);
      bodies.add(Buffer.buffer(body));
      bodyBytes += body.length;
    }
    System.out.printf(
        "load: %d series, %d samples per batch, %.1f KB per batch, %d connections, %d s%n",
        series, samples, bodyBytes / 1024.0 / series, connections, seconds);

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Run> runs = new ArrayList<>();
    for (URI target : targets) {
      HttpClient client =
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setKeepAlive(true)
                  .setDefaultHost(target.getHost())
                  .setDefaultPort(target.getPort()),
              new PoolOptions().setHttp1MaxSize(connections));
      runs.add(new Run(client, bodies, samples, deadline));
    }
    long start = System.nanoTime();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      loops.add(done);
      Run run = runs.get(c % runs.size());
      vertx.runOnContext(v -> run.next(done));
    }
    CompletableFuture.allOf(loops.toArray(new CompletableFuture[0]))
        .get(seconds + 60L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    org.HdrHistogram.Histogram latency = new org.HdrHistogram.Histogram(3);
    long requests = 0;
    long accepted = 0;
    long failed = 0;
    long bytes = 0;
    for (Run run : runs) {
      latency.add(run.latencyMicros.getIntervalHistogram());
      requests += run.requests.get();
      accepted += run.accepted.get();
      failed += run.failed.get();
      bytes += run.bytes.get();
    }
    System.out.printf(
        "load: %d requests, %d samples accepted, %d failed requests in %.1f s%n",
        requests, accepted, failed, elapsed);
    System.out.printf(
        "load: %.0f samples/s, %.0f requests/s, %.1f MB/s of JSON%n",
        accepted / elapsed, requests / elapsed, bytes / elapsed / 1e6);
    System.out.printf(
        "load: request latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0,
        latency.getMaxValue() / 1000.0);
    vertx.close().await();
  }

  /** The request loops; each keeps one request in flight until the deadline. */
  private static final class Run {
    final HttpClient client;
    final List<Buffer> bodies;
    final int samplesPerBody;
    final long deadlineNanos;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final Recorder latencyMicros = new Recorder(3);
    long nextBody;

    Run(HttpClient client, List<Buffer> bodies, int samplesPerBody, long deadlineNanos) {
      this.client = client;
      this.bodies = bodies;
      this.samplesPerBody = samplesPerBody;
      this.deadlineNanos = deadlineNanos;
    }

    void next(CompletableFuture<Void> done) {
      if (System.nanoTime() >= deadlineNanos) {
        done.complete(null);
        return;
      }
      Buffer body = bodies.get((int) (nextBody++ % bodies.size()));
      long sent = System.nanoTime();
      client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setURI("/api/v1/ingest")
                  .putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(body))
          .compose(resp -> resp.body().map(b -> resp.statusCode() == 200 ? b : null))
          .recover(e -> Future.succeededFuture(null))
          .onComplete(
              ar -> {
                latencyMicros.recordValue((System.nanoTime() - sent) / 1_000);
                requests.incrementAndGet();
                bytes.addAndGet(body.length());
                Buffer response = ar.result();
                if (response == null) {
                  failed.incrementAndGet();
                } else {
                  accepted.addAndGet(new JsonObject(response).getLong("accepted"));
                }
                next(done);
              });
    }
  }
}
