package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The window's slice layout against the plain one it replaced, on the same samples: the old layout
 * wrote every sample into both tiers, 1 s and 1 min; the window now writes the 1 s tier and feeds
 * the 1 min tier as its slices are sealed (plus late samples directly). Every read, one-off and
 * running, of every window length, must give the same counts, errors and distribution as the plain
 * layout, for streams with late, future, bursty and idle stretches. Seeded; a failure names its
 * seed.
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

  @Test
  void everyReadOfTheFedTiersEqualsThePlainLayout() {
    WindowSettings settings = WindowSettings.of(Duration.ofHours(1), Duration.ofSeconds(10));
    for (long seed = 0; seed < 12; seed++) {
      Random r = new Random(seed);
      RequestWindow window = new RequestWindow(Labels.of("service", "d"), settings);
      PlainLayout plain = new PlainLayout(settings);
      LatencyScratch scratch = new LatencyScratch();
      RequestSamples samples = new RequestSamples();
      long now = T0;
      for (int step = 0; step < 3_000; step++) {
        // time moves 0..2 s a step, with an idle stretch now and then
        now += r.nextInt(20) == 0 ? 60_000 + r.nextInt(600_000) : r.nextInt(2_000);
        samples.clear();
        int n = r.nextInt(6) == 0 ? 50 + r.nextInt(200) : r.nextInt(4);
        for (int i = 0; i < n; i++) {
          long ts =
              switch (r.nextInt(10)) {
                case 0 -> now - r.nextInt(3_600_000); // late, up to the whole window
                case 1 -> now - r.nextInt(20_000); // a little late: sealed fine slices
                case 2 -> now + r.nextInt(10_000); // a little ahead
                default -> now - r.nextInt(1_000);
              };
          samples.add(ts, (long) (40_000 * Math.exp(0.8 * r.nextGaussian())), r.nextInt(50) == 0);
        }
        for (int i = 0; i < samples.size(); i++) {
          window.record(samples, i, i + 1, now, scratch);
        }
        plain.record(samples, 0, samples.size(), scratch);
        if (step % 7 == 0) {
          for (long w : WINDOWS) {
            for (boolean running : new boolean[] {false, true}) {
              RequestAccumulator got = new RequestAccumulator();
              RequestAccumulator expected = new RequestAccumulator();
              if (running) {
                window.addToRunning(got, now, w);
              } else {
                window.addTo(got, now, w);
              }
              plain.addTo(expected, now, w, running);
              String at =
                  "seed " + seed + ", step " + step + ", window " + w + ", running " + running;
              assertThat(got.count()).as(at).isEqualTo(expected.count());
              assertThat(got.errors()).as(at).isEqualTo(expected.errors());
              for (double q : QUANTILES) {
                assertThat(Double.valueOf(got.quantileMillis(q)))
                    .as(at + ", q " + q)
                    .isEqualTo(Double.valueOf(expected.quantileMillis(q)));
              }
            }
          }
        }
      }
    }
  }
}
