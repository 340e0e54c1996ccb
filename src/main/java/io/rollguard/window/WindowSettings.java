package io.rollguard.window;

import java.time.Duration;

/**
 * How much history windows keep and at what resolution. Windows up to {@code fineSpan} (15 min at
 * most) are answered from 1 s slices; longer ones, up to {@code maxWindow}, from coarse slices (1
 * min). The rings also hold {@code maxFutureSkew} of slices ahead of now, so clock skew of a client
 * never eats into the window behind. Immutable.
 */
public record WindowSettings(
    long sliceMillis, long coarseSliceMillis, long maxWindowMillis, long maxFutureSkewMillis) {

  public static final long FINE_SPAN_LIMIT_MILLIS = Duration.ofMinutes(15).toMillis();

  public WindowSettings {
    if (sliceMillis <= 0 || coarseSliceMillis % sliceMillis != 0) {
      throw new IllegalArgumentException("coarse slices must be whole multiples of fine slices");
    }
    if (maxWindowMillis < sliceMillis || maxFutureSkewMillis < 0) {
      throw new IllegalArgumentException("max window must hold at least one slice");
    }
  }

  /** The SPEC's defaults: 1 s slices, 1 min coarse slices, windows up to 1 h, 10 s of skew. */
  public static WindowSettings defaults() {
    return of(Duration.ofHours(1), Duration.ofSeconds(10));
  }

  public static WindowSettings of(Duration maxWindow, Duration maxFutureSkew) {
    return new WindowSettings(1_000, 60_000, maxWindow.toMillis(), maxFutureSkew.toMillis());
  }

  /** The longest window answered at fine resolution. */
  public long fineSpanMillis() {
    return Math.min(maxWindowMillis, FINE_SPAN_LIMIT_MILLIS);
  }

  /** Whether a window of this length is answered from the fine tier. */
  boolean fineTierServes(long windowMillis) {
    return !hasCoarseTier() || windowMillis <= fineSpanMillis();
  }

  boolean hasCoarseTier() {
    return maxWindowMillis > fineSpanMillis();
  }

  int fineSlots() {
    return slots(fineSpanMillis(), sliceMillis);
  }

  int coarseSlots() {
    return slots(maxWindowMillis, coarseSliceMillis);
  }

  private int slots(long spanMillis, long slice) {
    return (int) ((spanMillis + maxFutureSkewMillis + slice - 1) / slice) + 1;
  }
}
