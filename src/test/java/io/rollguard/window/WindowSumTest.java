package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Running window sums against the slice-by-slice reference: random writes (on time, late, early)
 * and random reads (mostly forward, sometimes backwards or far ahead) over several window lengths
 * must always give the same counts, errors and distribution.
 */
class WindowSumTest {

  private static final long T0 = 1_763_900_000_000L;
  private static final long[] WINDOWS = {1_000, 10_000, 60_000, 273_000, 300_000, 3_600_000};

  @RepeatedTest(20)
  void runningSumsAlwaysEqualTheSliceBySliceMerge(RepetitionInfo repetition) {
    Random random = new Random(repetition.getCurrentRepetition());
    WindowSettings settings =
        repetition.getCurrentRepetition() % 2 == 0
            ? WindowSettings.of(Duration.ofMinutes(5), Duration.ofSeconds(10))
            : WindowSettings.defaults();
    RequestWindow window = new RequestWindow(Labels.of("service", "s"), settings);
    LatencyScratch scratch = new LatencyScratch();
    RequestSamples samples = new RequestSamples();
    long now = T0;
    for (int step = 0; step < 3_000; step++) {
      now += random.nextInt(10) < 8 ? random.nextInt(1_500) : random.nextInt(40_000);
      // A write: usually now, sometimes late by up to 3 minutes, sometimes a little early.
      samples.clear();
      int roll = random.nextInt(10);
      long ts =
          roll < 7 ? now : roll < 9 ? now - random.nextInt(180_000) : now + random.nextInt(9_000);
      int n = random.nextInt(10) < 7 ? 1 + random.nextInt(5) : 30 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        samples.add(ts, (long) Math.exp(7 + 1.5 * random.nextGaussian()), random.nextInt(20) == 0);
      }
      window.record(samples, 0, n, now, scratch);
      // A read: usually at now, sometimes a little in the past.
      long readAt = random.nextInt(10) < 8 ? now : now - random.nextInt(120_000);
      long windowMillis = WINDOWS[random.nextInt(WINDOWS.length)];
      RequestAccumulator summed = new RequestAccumulator();
      window.addToRunning(summed, readAt, windowMillis);
      RequestAccumulator direct = new RequestAccumulator();
      window.addTo(direct, readAt, windowMillis);
      assertThat(summed.count()).as("count at step %d", step).isEqualTo(direct.count());
      assertThat(summed.errors()).as("errors at step %d", step).isEqualTo(direct.errors());
      assertThat(histogram(summed))
          .as("distribution at step %d", step)
          .isEqualTo(histogram(direct));
    }
  }

  @org.junit.jupiter.api.Test
  void oneOffReadsKeepNoRunningSum() {
    RequestWindow window = new RequestWindow(Labels.of("service", "s"), WindowSettings.defaults());
    RequestSamples samples = new RequestSamples();
    for (int s = 0; s < 120; s++) {
      samples.clear();
      samples.add(T0 + s * 1_000L, 1_000 + s * 97L, false);
      window.record(samples, 0, 1, T0 + s * 1_000L, new LatencyScratch());
    }
    long before = window.footprintBytes();
    window.addTo(new RequestAccumulator(), T0 + 119_000, 60_000);
    assertThat(window.footprintBytes()).isEqualTo(before);
    window.addToRunning(new RequestAccumulator(), T0 + 119_000, 60_000);
    assertThat(window.footprintBytes()).isGreaterThan(before);
  }

  private static Histogram histogram(RequestAccumulator acc) {
    Histogram h = Latency.newHistogram();
    acc.latency().addTo(h);
    return h;
  }
}
