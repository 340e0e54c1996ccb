package io.rollguard.window;

import java.time.Duration;

/**
 * How much history windows keep and at what resolution.
 *
 * <p>Request windows keep a ladder of slice lengths ({@link #ladderSliceMillis}): 1 s slices as far
 * back as {@code fineReach} (the longest window read at 1 s resolution, 15 min at most), then 10 s
 * slices up to 5 min back, 1 min slices up to 15 min, 5 min slices up to 1 h and 1 h slices beyond,
 * up to {@code maxWindow}. Gauge and check windows keep 1 s slices up to 15 min and 1 min slices
 * beyond ({@code sliceMillis}, {@code coarseSliceMillis}). Every ring also holds {@code
 * maxFutureSkew} of slices ahead of now, so clock skew of a client never eats into the window
 * behind. Immutable.
 */
public record WindowSettings(
    long sliceMillis,
    long coarseSliceMillis,
    long maxWindowMillis,
    long maxFutureSkewMillis,
    long fineReachMillis) {

  public static final long FINE_SPAN_LIMIT_MILLIS = Duration.ofMinutes(15).toMillis();

  /** The shortest 1 s reach: windows up to a minute are always read at 1 s resolution. */
  public static final long MIN_FINE_REACH_MILLIS = Duration.ofMinutes(1).toMillis();

  /** The request ladder's slice lengths, each a whole multiple of the one before. */
  private static final long[] LADDER_SLICES = {1_000, 10_000, 60_000, 300_000, 3_600_000};

  /** How far back each level of the ladder reaches at least (the first: see fineReach). */
  private static final long[] LADDER_REACH = {
    MIN_FINE_REACH_MILLIS, 300_000, 900_000, 3_600_000, Long.MAX_VALUE
  };

  public WindowSettings {
    if (sliceMillis <= 0 || coarseSliceMillis % sliceMillis != 0) {
      throw new IllegalArgumentException("coarse slices must be whole multiples of fine slices");
    }
    if (maxWindowMillis < sliceMillis || maxFutureSkewMillis < 0) {
      throw new IllegalArgumentException("max window must hold at least one slice");
    }
    fineReachMillis =
        Math.max(MIN_FINE_REACH_MILLIS, Math.min(fineReachMillis, FINE_SPAN_LIMIT_MILLIS));
  }

  /**
   * The same settings with 1 s slices reaching {@code reach} back (clamped to 1 min .. 15 min):
   * what {@code serve}, {@code test} and {@code replay} derive from the longest window their rules
   * read.
   */
  public WindowSettings withFineReach(Duration reach) {
    return new WindowSettings(
        sliceMillis, coarseSliceMillis, maxWindowMillis, maxFutureSkewMillis, reach.toMillis());
  }

  /** The slice length of each level of the request ladder, finest first. */
  long[] ladderSliceMillis() {
    return java.util.Arrays.copyOf(LADDER_SLICES, ladderLevels());
  }

  /** How far back each level of the request ladder reaches; the last is {@code maxWindow}. */
  long[] ladderReachMillis() {
    int n = ladderLevels();
    long[] reach = new long[n];
    for (int k = 0; k < n; k++) {
      long wanted = k == 0 ? fineReachMillis : Math.max(LADDER_REACH[k], reach[k - 1]);
      reach[k] = Math.min(wanted, maxWindowMillis);
    }
    reach[n - 1] = maxWindowMillis;
    return reach;
  }

  /** Levels while the one before does not reach the longest window. */
  private int ladderLevels() {
    int n = 1;
    while (n < LADDER_SLICES.length && LADDER_REACH[n - 1] < maxWindowMillis) {
      n++;
    }
    return n;
  }

  /**
   * The slice length at the far edge of a window of {@code windowMillis}, once the ladder is full:
   * the window starts at the first such boundary at or after {@code windowMillis} ago.
   */
  public long farEdgeSliceMillis(long windowMillis) {
    long[] slices = ladderSliceMillis();
    long[] reach = ladderReachMillis();
    for (int k = 0; k < slices.length; k++) {
      if (windowMillis <= reach[k]) {
        return slices[k];
      }
    }
    return slices[slices.length - 1];
  }

  /** The SPEC's defaults: 1 s slices, 1 min coarse slices, windows up to 1 h, 10 s of skew. */
  public static WindowSettings defaults() {
    return of(Duration.ofHours(1), Duration.ofSeconds(10));
  }

  public static WindowSettings of(Duration maxWindow, Duration maxFutureSkew) {
    return new WindowSettings(
        1_000, 60_000, maxWindow.toMillis(), maxFutureSkew.toMillis(), MIN_FINE_REACH_MILLIS);
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
