package io.rollguard.benchmarks;

import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.clock.Clock;
import io.rollguard.config.ConfigLoader;
import io.rollguard.server.RollguardServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Detection delay, end to end: a real server (system clock, default 1 s evaluation interval), the
 * rule {@code error_rate > 5%} over a 5 s window, a client pushing 50 requests every 100 ms over
 * HTTP. Healthy for 6 s, then every request fails. For each trial it computes, from what was
 * pushed, when the window's error rate first crossed 5%, and reports how long after that the engine
 * decided to fire ({@code fired_at}) and when the alert was visible in the API. Argument: trials
 * (10).
 */
public final class DetectionDelay {

  private static final int PER_PUSH = 50;
  private static final long PUSH_EVERY_MILLIS = 100;
  private static final long WINDOW_MILLIS = 5_000;

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("rollguard-delay");
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        dir.resolve("rules/delay.yaml"),
        "rules:\n  - {name: breach, select: {service: delay}, window: 5s, when: error_rate > 5%, min_samples: 10}\n");
    var config =
        ConfigLoader.parse(
            "delay.yaml",
            "server: {host: 127.0.0.1, port: 0}\ndata_dir: data\nrules: [rules]\n",
            dir,
            name -> null);
    RollguardServer server =
        RollguardServer.start(config, Clock.system())
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    HttpClient http = HttpClient.newHttpClient();
    URI ingest = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/ingest");
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    List<Long> decided = new ArrayList<>();
    List<Long> visible = new ArrayList<>();
    try {
      for (int trial = 0; trial < trials; trial++) {
        Deque<long[]> pushed = new ArrayDeque<>(); // {time, ok, failed}
        long[] crossedAt = {0};
        CompletableFuture<Long> firedAt = new CompletableFuture<>();
        long breachAt = System.currentTimeMillis() + 6_000;
        ScheduledFuture<?> pusher =
            scheduler.scheduleAtFixedRate(
                () -> {
                  long now = System.currentTimeMillis();
                  boolean fail = now >= breachAt;
                  post(http, ingest, !fail);
                  synchronized (pushed) {
                    pushed.add(new long[] {now, fail ? 0 : PER_PUSH, fail ? PER_PUSH : 0});
                    while (pushed.peekFirst()[0] <= now - WINDOW_MILLIS) {
                      pushed.removeFirst();
                    }
                    long ok = pushed.stream().mapToLong(p -> p[1]).sum();
                    long failed = pushed.stream().mapToLong(p -> p[2]).sum();
                    if (crossedAt[0] == 0 && failed > 0.05 * (ok + failed)) {
                      crossedAt[0] = now;
                    }
                  }
                },
                0,
                PUSH_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
        ScheduledFuture<?> watcher =
            scheduler.scheduleAtFixedRate(
                () -> {
                  for (var alert : server.alerts().alerts()) {
                    RuleEngine.InstanceStatus i = alert.getValue();
                    if (i.phase() == Phase.FIRING && i.firedAtMillis() >= breachAt) {
                      firedAt.complete(i.firedAtMillis());
                    }
                  }
                },
                0,
                5,
                TimeUnit.MILLISECONDS);
        long fired = firedAt.get(30, TimeUnit.SECONDS);
        long seen = System.currentTimeMillis();
        pusher.cancel(false);
        watcher.cancel(false);
        long crossed;
        synchronized (pushed) {
          crossed = crossedAt[0];
        }
        decided.add(fired - crossed);
        visible.add(seen - crossed);
        System.out.printf(
            Locale.ROOT,
            "trial %d: crossed %d ms after the breach began; fired %d ms after crossing, visible %d ms after%n",
            trial + 1,
            crossed - breachAt,
            fired - crossed,
            seen - crossed);
        // Let the failures leave the window so that the next trial starts healthy.
        CompletableFuture<Void> resolved = new CompletableFuture<>();
        ScheduledFuture<?> healing =
            scheduler.scheduleAtFixedRate(
                () -> {
                  post(http, ingest, true);
                  if (server.alerts().alerts().isEmpty()) {
                    resolved.complete(null);
                  }
                },
                0,
                PUSH_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
        resolved.get(30, TimeUnit.SECONDS);
        healing.cancel(false);
      }
    } finally {
      scheduler.shutdownNow();
      server.close().toCompletionStage().toCompletableFuture().get();
    }
    System.out.printf(
        Locale.ROOT,
        "fired after crossing: p50 %d ms, max %d ms (%d trials)%n",
        median(decided),
        Collections.max(decided),
        trials);
    System.out.printf(
        Locale.ROOT,
        "visible after crossing: p50 %d ms, max %d ms%n",
        median(visible),
        Collections.max(visible));
  }

  private static void post(HttpClient http, URI ingest, boolean ok) {
    StringBuilder body = new StringBuilder("{\"service\":\"delay\",\"requests\":[");
    for (int i = 0; i < PER_PUSH; i++) {
      body.append(i == 0 ? "" : ",").append("{\"latency_ms\":5,\"ok\":").append(ok).append('}');
    }
    body.append("]}");
    try {
      http.send(
          HttpRequest.newBuilder(ingest)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
