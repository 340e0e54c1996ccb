package io.rollguard.window;

import java.util.List;
import org.HdrHistogram.AbstractHistogram;

/**
 * Good and total requests of one SLO over its period, counted as the samples arrive (SPEC 2: SLO
 * periods keep counts only). A sample is good when it did not fail (if the SLO asks for that) and
 * its latency is strictly below the limit, compared with the sample's own microseconds, so the
 * count is exact rather than read back from histogram buckets. Pre-aggregated histograms do not say
 * which of their requests failed: their good count is the lower bound {@code fast - errors}.
 *
 * <p>Counts are kept at three resolutions, each a {@link SliceRing}: 10 s slices for windows up to
 * 1 h (the 5m/30m/1h burn rates), 5 min slices up to 3 d, and 1 h slices over the whole period. A
 * sample lands in the slice of its own time stamp, in every resolution.
 *
 * <p><b>Concurrency.</b> Thread-safe: every method holds this object's monitor. Writers are ingest
 * threads, one lock per run of samples (called by {@link RequestWindow} under its own monitor; this
 * class calls nothing back); the reader is the SLO evaluation.
 */
public final class SloCounts {

  /** Good and total requests over a window. */
  public record Totals(long good, long total) {
    public long bad() {
      return total - good;
    }
  }

  static final long FINE_SLICE_MILLIS = 10_000;
  static final long FINE_SPAN_MILLIS = 3_600_000;
  static final long MID_SLICE_MILLIS = 300_000;
  static final long MID_SPAN_MILLIS = 3 * 86_400_000L;
  static final long COARSE_SLICE_MILLIS = 3_600_000;

  private final Selector select;
  private final boolean requireOk;
  private final long latencyLimitMicros;
  private final CountTier fine;
  private final CountTier mid;
  private final CountTier coarse;
  private final long[] sum = new long[2];

  /**
   * @param latencyLimitMicros good requests are faster than this; {@link Long#MAX_VALUE}: any
   * @param periodMillis the longest window read (the SLO's period)
   * @param aheadMillis how far ahead of now samples may be stamped ({@code max_future_skew})
   */
  public SloCounts(
      Selector select,
      boolean requireOk,
      long latencyLimitMicros,
      long periodMillis,
      long aheadMillis) {
    this.select = select;
    this.requireOk = requireOk;
    this.latencyLimitMicros = latencyLimitMicros;
    this.fine =
        new CountTier(FINE_SLICE_MILLIS, slots(FINE_SPAN_MILLIS, FINE_SLICE_MILLIS, aheadMillis));
    this.mid =
        new CountTier(MID_SLICE_MILLIS, slots(MID_SPAN_MILLIS, MID_SLICE_MILLIS, aheadMillis));
    this.coarse =
        new CountTier(COARSE_SLICE_MILLIS, slots(periodMillis, COARSE_SLICE_MILLIS, aheadMillis));
  }

  private static int slots(long spanMillis, long sliceMillis, long aheadMillis) {
    return (int) ((spanMillis + aheadMillis + sliceMillis - 1) / sliceMillis) + 1;
  }

  /** Whether this SLO counts the requests of a series with these labels. */
  public boolean matches(Labels labels) {
    return select.matches(labels);
  }

  /** Counts {@code samples[from, to)}; runs of one 10 s slice are added at once. */
  synchronized void count(RequestSamples samples, int from, int to) {
    int i = from;
    while (i < to) {
      long ts = samples.tsMillis(i);
      long slice = Math.floorDiv(ts, FINE_SLICE_MILLIS);
      long good = 0;
      int j = i;
      while (j < to && Math.floorDiv(samples.tsMillis(j), FINE_SLICE_MILLIS) == slice) {
        if ((!requireOk || !samples.isError(j)) && samples.micros(j) < latencyLimitMicros) {
          good++;
        }
        j++;
      }
      add(ts, good, j - i);
      i = j;
    }
  }

  /** Counts a pre-aggregated interval ending at {@code endMillis}. */
  synchronized void countHistogram(long endMillis, AbstractHistogram histogram, int errors) {
    long total = histogram.getTotalCount();
    long fast =
        latencyLimitMicros == Long.MAX_VALUE
            ? total
            : latencyLimitMicros <= 0
                ? 0
                : histogram.getCountBetweenValues(
                    0, histogram.lowestEquivalentValue(latencyLimitMicros) - 1);
    long good = requireOk ? Math.max(0, fast - errors) : fast;
    add(endMillis, good, total);
  }

  synchronized void countBuckets(long endMillis, BucketedLatency buckets, int errors) {
    long total = buckets.total();
    long fast =
        latencyLimitMicros == Long.MAX_VALUE
            ? total
            : latencyLimitMicros <= 0 ? 0 : buckets.countBelow(latencyLimitMicros);
    long good = requireOk ? Math.max(0, fast - errors) : fast;
    add(endMillis, good, total);
  }

  private void add(long tsMillis, long good, long total) {
    fine.add(tsMillis, good, total);
    mid.add(tsMillis, good, total);
    coarse.add(tsMillis, good, total);
  }

  /**
   * Good and total over the trailing {@code windowMillis} ending at {@code nowMillis}, from the
   * finest resolution that spans it (the window is rounded up to whole slices of that resolution).
   */
  public synchronized Totals totals(long nowMillis, long windowMillis) {
    CountTier tier =
        windowMillis <= FINE_SPAN_MILLIS ? fine : windowMillis <= MID_SPAN_MILLIS ? mid : coarse;
    sum[0] = 0;
    sum[1] = 0;
    tier.addTo(sum, nowMillis, windowMillis);
    return new Totals(sum[0], sum[1]);
  }

  /**
   * The non-empty slices of each resolution (fine, mid, coarse), as (slice index, good, total)
   * triples, to persist across restarts.
   */
  public synchronized List<long[]> export() {
    return List.of(fine.export(), mid.export(), coarse.export());
  }

  /**
   * Adds what {@link #export} gave (before a restart) to these counts; slices older than a
   * resolution holds are skipped. Call before samples arrive, or they are counted twice.
   */
  public synchronized void restore(List<long[]> exported) {
    CountTier[] tiers = {fine, mid, coarse};
    for (int t = 0; t < tiers.length && t < exported.size(); t++) {
      long[] triples = exported.get(t);
      for (int i = 0; i + 2 < triples.length; i += 3) {
        tiers[t].add(triples[i] * tiers[t].sliceMillis(), triples[i + 1], triples[i + 2]);
      }
    }
  }

  /** Approximate heap bytes held (benchmarks report it). */
  public synchronized long footprintBytes() {
    return 64 + fine.footprintBytes() + mid.footprintBytes() + coarse.footprintBytes();
  }

  /** Counts at one resolution. Not thread-safe: used under the owner's monitor. */
  private static final class CountTier {
    private final SliceRing ring;
    private final long[] good;
    private final long[] total;
    private final SliceRing.SlotReset reset = this::clear;

    CountTier(long sliceMillis, int slots) {
      ring = new SliceRing(sliceMillis, slots);
      good = new long[slots];
      total = new long[slots];
    }

    void add(long tsMillis, long goodCount, long totalCount) {
      int slot = ring.slotForWrite(tsMillis, reset);
      if (slot >= 0) {
        good[slot] += goodCount;
        total[slot] += totalCount;
      }
    }

    long sliceMillis() {
      return ring.sliceMillis();
    }

    long[] export() {
      java.util.ArrayList<Long> out = new java.util.ArrayList<>();
      long newest = ring.newestSlice();
      if (newest != SliceRing.NO_SLICE) {
        ring.forEachSlot(
            newest * ring.sliceMillis(),
            ring.slotCount(),
            (slot, slice) -> {
              if (total[slot] > 0) {
                out.add(slice);
                out.add(good[slot]);
                out.add(total[slot]);
              }
            });
      }
      return out.stream().mapToLong(Long::longValue).toArray();
    }

    void addTo(long[] into, long nowMillis, long windowMillis) {
      ring.forEachSlot(
          nowMillis,
          ring.slicesIn(windowMillis),
          (slot, slice) -> {
            into[0] += good[slot];
            into[1] += total[slot];
          });
    }

    long footprintBytes() {
      return 48 + (long) good.length * 20;
    }

    private void clear(int slot) {
      good[slot] = 0;
      total[slot] = 0;
    }
  }
}
