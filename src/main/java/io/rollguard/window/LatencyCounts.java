package io.rollguard.window;

import java.util.Arrays;
import org.HdrHistogram.AbstractHistogram;

/**
 * Dense latency counts on the {@link Latency} scale, indexed like HdrHistogram's counts array, for
 * readers that merge many slices: adding a slice's pairs is an array increment, and clearing
 * touches only the range used. Quantiles follow HdrHistogram's own percentile rule and report the
 * bucket's median, as {@code Latency.quantileMillis} does on a {@code Histogram} ({@code
 * LatencyCountsTest} holds the two equal). Not thread-safe: owned by one reader.
 */
public final class LatencyCounts {

  private final long[] counts = new long[Latency.BUCKET_COUNT];
  private long total;
  private int lowest = Integer.MAX_VALUE;
  private int highest = -1;

  void add(int index, long count) {
    counts[index] += count;
    total += count;
    if (index < lowest) {
      lowest = index;
    }
    if (index > highest) {
      highest = index;
    }
  }

  /** Room for every bucket's pair: what a sealed slice decodes into before it is added. */
  private final int[] decoded = new int[2 * Latency.BUCKET_COUNT];

  /** Adds a sealed slice's distribution, held in {@code encoded[from..]} ({@link LatencySlice}). */
  void addEncoded(byte[] encoded, int from) {
    addSortedPairs(decoded, LatencySlice.decodePairs(encoded, from, decoded));
  }

  /** Adds {@code n} (index, count) pairs, interleaved in {@code pairs} and sorted by index. */
  void addSortedPairs(int[] pairs, int n) {
    if (n == 0) {
      return;
    }
    long added = 0;
    for (int i = 0; i < 2 * n; i += 2) {
      counts[pairs[i]] += pairs[i + 1];
      added += pairs[i + 1];
    }
    total += added;
    lowest = Math.min(lowest, pairs[0]);
    highest = Math.max(highest, pairs[2 * n - 2]);
  }

  public void reset() {
    if (highest >= 0) {
      Arrays.fill(counts, lowest, highest + 1, 0);
    }
    total = 0;
    lowest = Integer.MAX_VALUE;
    highest = -1;
  }

  public long total() {
    return total;
  }

  /** Quantile {@code q} in [0, 1] in microseconds (the bucket's median); NaN when empty. */
  public double quantileMicros(double q) {
    if (total == 0) {
      return Double.NaN;
    }
    double percentile =
        Math.min(Math.max(Math.nextAfter(q * 100.0, Double.NEGATIVE_INFINITY), 0.0), 100.0);
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
    long running = 0;
    for (int i = lowest; i <= highest; i++) {
      running += counts[i];
      if (running >= rank) {
        return median(i);
      }
    }
    return median(highest);
  }

  /**
   * How many values lie above {@code micros}: with {@code surely}, only buckets whose every value
   * is above it (a lower bound on the true count); without, also the bucket that holds it (an upper
   * bound). The two differ by at most one bucket's count, 1/256 of the value wide.
   */
  public long countAbove(double micros, boolean surely) {
    long n = 0;
    for (int i = highest; i >= lowest && i >= 0; i--) {
      long low = Latency.valueOf(i);
      long high = low + Latency.widthOf(i) - 1;
      if (high <= micros) {
        break;
      }
      if (low > micros || !surely) {
        n += counts[i];
      }
    }
    return n;
  }

  /** Mean in microseconds, each bucket counted at its median; NaN when empty. */
  public double meanMicros() {
    if (total == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = lowest; i <= highest; i++) {
      if (counts[i] != 0) {
        sum += median(i) * (double) counts[i];
      }
    }
    return sum / total;
  }

  /** Records these counts into {@code histogram} (tests compare with the library). */
  void addTo(AbstractHistogram histogram) {
    for (int i = lowest; i <= highest; i++) {
      if (counts[i] != 0) {
        histogram.recordValueWithCount(Latency.valueOf(i), counts[i]);
      }
    }
  }

  /** HdrHistogram's median equivalent value of bucket {@code index}. */
  private static long median(int index) {
    long lowestValue = Latency.valueOf(index);
    long width = Latency.widthOf(index);
    return lowestValue + (width >> 1);
  }
}
