package io.rollguard.window;

import java.util.Arrays;

/**
 * Gauge points of one series at one slice resolution: per slot the count, sum, min, max and the
 * latest point. Not thread-safe: owned by a {@link GaugeWindow} and used under its monitor.
 */
final class GaugeTier {

  private final SliceRing ring;
  private final int[] counts;
  private final double[] sums;
  private final double[] mins;
  private final double[] maxes;
  private final long[] lastTs;
  private final double[] lastValues;
  private final SliceRing.SlotReset reset = this::clearSlot;

  GaugeTier(long sliceMillis, int slots) {
    ring = new SliceRing(sliceMillis, slots);
    counts = new int[slots];
    sums = new double[slots];
    mins = new double[slots];
    maxes = new double[slots];
    lastTs = new long[slots];
    lastValues = new double[slots];
    Arrays.fill(lastTs, Long.MIN_VALUE);
  }

  void record(long tsMillis, double value) {
    int slot = ring.slotForWrite(tsMillis, reset);
    if (slot < 0) {
      return;
    }
    if (counts[slot] == 0) {
      mins[slot] = value;
      maxes[slot] = value;
    } else {
      mins[slot] = Math.min(mins[slot], value);
      maxes[slot] = Math.max(maxes[slot], value);
    }
    counts[slot]++;
    sums[slot] += value;
    if (tsMillis >= lastTs[slot]) {
      lastTs[slot] = tsMillis;
      lastValues[slot] = value;
    }
  }

  void addTo(GaugeAccumulator into, long nowMillis, long windowMillis) {
    ring.forEachSlot(
        nowMillis,
        ring.slicesIn(windowMillis),
        (slot, slice) ->
            into.add(
                counts[slot], sums[slot], mins[slot], maxes[slot], lastTs[slot], lastValues[slot]));
  }

  private void clearSlot(int slot) {
    counts[slot] = 0;
    sums[slot] = 0;
    lastTs[slot] = Long.MIN_VALUE;
  }
}
