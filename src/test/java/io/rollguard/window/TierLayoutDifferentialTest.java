package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The window's slice ladder against the layout it replaced and against the samples themselves. The
 * old layout wrote every sample into two tiers, 1 s slices for 15 min and 1 min slices for the hour
 * ({@link RequestTier}); the ladder keeps 1 s slices only as far back as its fine reach and merges
 * older ones into 10 s, 1 min and 5 min slices. Every read, one-off and running, of every window
 * length, must give the same counts, errors and distribution as the old layout and as the raw
 * samples over the span the window says it covers ({@link RequestWindow#windowStartMillis}), for
 * streams with late, bursty and idle stretches (and samples stamped ahead of now, against the
 * samples); and that span may start no earlier than asked and no later than one far-edge slice
 * after. Seeded; a failure names its seed.
 */
class TierLayoutDifferentialTest {

  private static final long T0 = 1_763_900_000_000L;
  private static final long[] WINDOWS = {
    1_000, 5_000, 60_000, 300_000, 900_000, 901_000, 1_800_000, 3_600_000
  };
  private static final double[] QUANTILES = {0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};

  /** The old layout: both tiers written with every sample, read the way windows read. */
  private static final class PlainLayout {
    final WindowSettings settings;
    final RequestTier fine;
    final RequestTier coarse;

    PlainLayout(WindowSettings settings) {
      this.settings = settings;
      this.fine = new RequestTier(settings.sliceMillis(), settings.fineSlots());
      this.coarse = new RequestTier(settings.coarseSliceMillis(), settings.coarseSlots());
    }

    void record(RequestSamples samples, int from, int to, LatencyScratch scratch) {
      for (int i = from; i < to; i++) {
        int n = scratch.sortSmallRun(samples, i, i + 1);
        int failed = samples.isError(i) ? 1 : 0;
        fine.add(samples.tsMillis(i), 1, failed, scratch.indexes(), scratch.counts(), n);
        coarse.add(samples.tsMillis(i), 1, failed, scratch.indexes(), scratch.counts(), n);
      }
    }

    void addTo(RequestAccumulator into, long now, long window, boolean running) {
      long w = Math.min(window, settings.maxWindowMillis());
      RequestTier tier = settings.fineTierServes(window) ? fine : coarse;
      if (running) {
        tier.addToRunning(into, now, w);
      } else {
        tier.addTo(into, now, w);
      }
    }
  }

  /** Every sample recorded, to sum exactly over any span. */
  private static final class Raw {
    final java.util.List<long[]> samples = new java.util.ArrayList<>(); // ts, micros, error

    void add(RequestSamples s) {
      for (int i = 0; i < s.size(); i++) {
        samples.add(new long[] {s.tsMillis(i), s.micros(i), s.isError(i) ? 1 : 0});
      }
    }

    void addTo(RequestAccumulator into, long fromMillis, long toMillis) {
      for (long[] x : samples) {
        if (x[0] >= fromMillis && x[0] < toMillis) {
          into.addCounts(1, x[2]);
          into.latency().add(Latency.indexOf(x[1]), 1);
        }
      }
    }
  }

  @Test
  void everyReadOfTheLadderEqualsTheOldLayoutAndTheSamplesOverTheSpanItCovers() {
    for (long fineReach : new long[] {60_000, 300_000}) {
      WindowSettings settings =
          WindowSettings.of(Duration.ofHours(1), Duration.ofSeconds(10))
              .withFineReach(Duration.ofMillis(fineReach));
      for (long seed = 0; seed < 6; seed++) {
        compare(settings, seed, false);
      }
    }
  }

  @Test
  void aReachThatGrowsAndShrinksWhileDataArrivesLosesNothingAndCountsNothingTwice() {
    WindowSettings settings = WindowSettings.of(Duration.ofHours(1), Duration.ofSeconds(10));
    for (long seed = 100; seed < 104; seed++) {
      compare(settings, seed, true);
    }
  }

  /**
   * Whether the old layout can read exactly the span {@code [start, end)}: its 1 s tier spans 15
   * min; beyond, its minute slices serve spans that start on a minute. (And it counted samples
   * stamped ahead of now in the current minute: streams with those are held to the samples only.)
   */
  private static boolean oldServes(WindowSettings settings, long start, long end) {
    return end - start <= settings.fineSpanMillis() || Math.floorMod(start, 60_000L) == 0;
  }

  private static void compare(WindowSettings settings, long seed, boolean reachChanges) {
    {
      Random r = new Random(seed);
      FineReach reach = new FineReach(settings.fineReachMillis());
      RequestWindow window =
          new RequestWindow(Labels.of("service", "d"), settings, new SloTaps(), reach);
      PlainLayout plain = new PlainLayout(settings);
      Raw raw = new Raw();
      // The old layout's minute slices counted samples stamped ahead of now within the current
      // minute; the ladder, like its 1 s slices, stops at now. Half the streams have such samples.
      boolean ahead = seed % 2 == 0;
      LatencyScratch scratch = new LatencyScratch();
      RequestSamples samples = new RequestSamples();
      long now = T0;
      for (int step = 0; step < 3_000; step++) {
        if (reachChanges && step % 400 == 0) {
          reach.set(Duration.ofMinutes(step % 800 == 0 ? 1 + r.nextInt(15) : 1));
        }
        // time moves 0..2 s a step, with an idle stretch now and then
        now += r.nextInt(20) == 0 ? 60_000 + r.nextInt(600_000) : r.nextInt(2_000);
        samples.clear();
        int n = r.nextInt(6) == 0 ? 50 + r.nextInt(200) : r.nextInt(4);
        for (int i = 0; i < n; i++) {
          long ts =
              switch (r.nextInt(10)) {
                case 0 -> now - r.nextInt(3_600_000); // late, up to the whole window
                case 1 -> now - r.nextInt(20_000); // a little late: sealed fine slices
                case 2 -> ahead ? now + r.nextInt(10_000) : now; // a little ahead
                default -> now - r.nextInt(1_000);
              };
          samples.add(ts, (long) (40_000 * Math.exp(0.8 * r.nextGaussian())), r.nextInt(50) == 0);
        }
        for (int i = 0; i < samples.size(); i++) {
          window.record(samples, i, i + 1, now, scratch);
        }
        plain.record(samples, 0, samples.size(), scratch);
        raw.add(samples);
        if (step % 7 == 0) {
          for (long w : WINDOWS) {
            long end = Math.floorDiv(now, 1_000L) * 1_000 + 1_000;
            long nominal = end - Math.min(w, settings.maxWindowMillis());
            long start = window.windowStartMillis(now, w);
            String span =
                "seed " + seed + ", reach " + settings.fineReachMillis() + ", step " + step;
            assertThat(start)
                .as(span + ", window " + w + ": starts no earlier than asked")
                .isGreaterThanOrEqualTo(nominal)
                .isLessThan(nominal + settings.farEdgeSliceMillis(w) + 30_000);
            // (farEdgeSliceMillis is for the shortest reach: a window under a reach that just grew
            // reads coarse slices at its far edge until 1 s slices fill that far.)
            RequestAccumulator exact = new RequestAccumulator();
            raw.addTo(exact, start, end);
            for (boolean running : new boolean[] {false, true}) {
              RequestAccumulator got = new RequestAccumulator();
              RequestAccumulator old = new RequestAccumulator();
              if (running) {
                window.addToRunning(got, now, w);
              } else {
                window.addTo(got, now, w);
              }
              plain.addTo(old, now, end - start, running);
              String at =
                  span + ", window " + w + " from " + (end - start) + ", running " + running;
              for (RequestAccumulator expected :
                  !ahead && oldServes(settings, start, end)
                      ? new RequestAccumulator[] {exact, old}
                      : new RequestAccumulator[] {exact}) {
                String which = at + (expected == old ? " (old layout)" : " (samples)");
                assertThat(got.count()).as(which).isEqualTo(expected.count());
                assertThat(got.errors()).as(which).isEqualTo(expected.errors());
                for (double q : QUANTILES) {
                  assertThat(Double.valueOf(got.quantileMillis(q)))
                      .as(which + ", q " + q)
                      .isEqualTo(Double.valueOf(expected.quantileMillis(q)));
                }
              }
            }
          }
        }
      }
    }
  }
}
