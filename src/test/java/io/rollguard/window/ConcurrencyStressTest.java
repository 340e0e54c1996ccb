package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Threads racing on the registry's caps and on one window's monitor: nothing lost, no cap passed.
 */
class ConcurrencyStressTest {

  private static final long T0 = 1_763_900_000_000L;
  private static final int THREADS = 8;

  @Test
  void racingCreatorsNeverPassTheCaps() throws Exception {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 500, 100);
    AtomicInteger created = new AtomicInteger();
    runConcurrently(
        t -> {
          for (int i = 0; i < 2_000; i++) {
            // 8 services, overlapping names across threads: creation races on the same keys too.
            Labels labels = Labels.of("service", "svc" + (i % 8), "pod", "p" + (i / 8 + t * 3));
            if (registry.requests(labels) != null) {
              created.incrementAndGet();
            }
          }
        });
    assertThat(registry.size())
        .isEqualTo(registry.size(SeriesKind.REQUESTS))
        .isLessThanOrEqualTo(500);
    // Eight services of at most 100 each would allow 800: the total cap of 500 binds, exactly.
    assertThat(registry.size()).isEqualTo(500);
  }

  @Test
  void concurrentWritersToOneWindowLoseNoSample() throws Exception {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 10, 10);
    Labels labels = Labels.of("service", "hot");
    int perThread = 20_000;
    runConcurrently(
        t -> {
          LatencyScratch scratch = new LatencyScratch();
          RequestSamples samples = new RequestSamples();
          for (int i = 0; i < perThread; i += 100) {
            samples.clear();
            for (int k = 0; k < 100; k++) {
              // Spread over 30 s, so writers also race on sealing and on late slices.
              samples.add(T0 + ((i + k) % 30) * 1_000L, 1_000 + k, k % 10 == 0);
            }
            int from = 0;
            while (from < 100) {
              int to = Math.min(100, from + 1 + (k(from) % 40));
              assertThat(registry.requests(labels).record(samples, from, to, T0, scratch)).isTrue();
              from = to;
            }
          }
        });
    RequestAccumulator acc = new RequestAccumulator();
    registry.requests(labels).addTo(acc, T0 + 30_000, 60_000);
    RequestStats stats = acc.stats(60_000);
    assertThat(stats.count()).isEqualTo((long) THREADS * perThread);
    assertThat(stats.errors()).isEqualTo((long) THREADS * perThread / 10);
  }

  private static int k(int from) {
    return from * 7 + 3;
  }

  private interface Body {
    void run(int thread) throws Exception;
  }

  private static void runConcurrently(Body body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(thread);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
