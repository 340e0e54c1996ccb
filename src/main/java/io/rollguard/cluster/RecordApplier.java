package io.rollguard.cluster;

import io.rollguard.window.Labels;
import io.rollguard.window.Latency;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SeriesRegistry;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Writes records of the samples topic into the windows of the node that owns their key, with the
 * same window calls HTTP ingest makes: requests at the start of their second with each latency at
 * its bucket's value (the bucket it came from), histograms as one interval. Used for the live
 * stream and for the rebuild after an assignment alike. Not thread-safe: one per consuming thread.
 */
public final class RecordApplier {

  private final SeriesRegistry registry;
  private final LatencyScratch scratch = new LatencyScratch();
  private final RequestSamples samples = new RequestSamples(64);

  public RecordApplier(SeriesRegistry registry) {
    this.registry = registry;
  }

  /**
   * Records {@code p}; false when a series cap refused its series (the owner enforces the caps in
   * cluster mode), the items then lost and to be counted by the caller.
   */
  public boolean apply(PointRecords.Point p, long nowMillis) {
    Labels labels = Labels.of(p.labels());
    if (p instanceof PointRecords.Requests r) {
      SeriesSecond s = r.second();
      long ts = s.second() * 1_000L;
      samples.clear();
      add(s.okBuckets(), ts, false);
      add(s.errorBuckets(), ts, true);
      boolean recorded =
          write(
              () -> registry.requests(labels),
              w -> w.record(samples, 0, samples.size(), nowMillis, scratch));
      samples.clearAndShrink(64);
      return recorded;
    }
    if (p instanceof PointRecords.Interval i) {
      Histogram h = Latency.newHistogram();
      int[] b = i.buckets();
      for (int k = 0; k < b.length; k += 2) {
        h.recordValueWithCount(Latency.bucketValue(b[k]), b[k + 1]);
      }
      int errors = (int) Math.min(i.errors(), Integer.MAX_VALUE);
      return write(
          () -> registry.requests(labels),
          w -> w.recordHistogram(i.endMillis(), h, errors, nowMillis, scratch));
    }
    if (p instanceof PointRecords.GaugePoint g) {
      return write(
          () -> registry.gauge(g.name(), labels),
          w -> w.record(g.tsMillis(), g.value(), nowMillis));
    }
    PointRecords.CheckPoint c = (PointRecords.CheckPoint) p;
    return write(
        () -> registry.check(c.name(), labels), w -> w.record(c.tsMillis(), c.ok(), nowMillis));
  }

  /**
   * Writes into the series' window, looking it up again when it was evicted meanwhile; false when a
   * cap refuses the series.
   */
  private static <W> boolean write(Supplier<W> lookup, Predicate<W> record) {
    W window = lookup.get();
    while (window != null && !record.test(window)) {
      window = lookup.get();
    }
    return window != null;
  }

  private void add(int[] buckets, long ts, boolean error) {
    for (int k = 0; k < buckets.length; k += 2) {
      long micros = Latency.bucketValue(buckets[k]);
      for (int n = 0; n < buckets[k + 1]; n++) {
        samples.add(ts, micros, error);
      }
    }
  }
}
