package io.rollguard.cluster;

import io.rollguard.window.BucketedLatency;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.SampleSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What one ingest body accepted, as the records an ingest node produces (docs/cluster.md): requests
 * folded into one {@link SeriesSecond} per series and second, every other item one record, each
 * keyed by the value of the key label so that all the series of one key land on one partition. Not
 * thread-safe: one per request.
 */
public final class BodyRecords implements SampleSink {

  /** One record to produce: its key, its time stamp (the samples' time) and its bytes. */
  public record Keyed(String key, long timestampMillis, byte[] value) {}

  private final String keyLabel;
  private final SecondAggregator requests = new SecondAggregator();
  private final List<PointRecords.Point> points = new ArrayList<>();

  public BodyRecords(String keyLabel) {
    this.keyLabel = keyLabel;
  }

  @Override
  public void requests(Labels series, RequestSamples samples, int from, int to) {
    Map<String, String> labels = series.asMap();
    for (int i = from; i < to; i++) {
      requests.add(labels, samples.tsMillis(i), samples.micros(i), !samples.isError(i));
    }
  }

  @Override
  public void histogram(Labels series, long endMillis, AbstractHistogram micros, int errors) {
    TreeMap<Integer, Integer> b = new TreeMap<>();
    for (HistogramIterationValue v : micros.recordedValues()) {
      SecondAggregator.count(b, v.getValueIteratedTo(), v.getCountAtValueIteratedTo());
    }
    points.add(
        new PointRecords.Interval(series.asMap(), endMillis, errors, SecondAggregator.pairs(b)));
  }

  @Override
  public void buckets(Labels series, long endMillis, BucketedLatency latency, int errors) {
    TreeMap<Integer, Integer> b = new TreeMap<>();
    for (int i = 0; i < latency.size(); i++) {
      SecondAggregator.count(b, latency.microsAt(i), latency.countAt(i));
    }
    points.add(
        new PointRecords.Interval(series.asMap(), endMillis, errors, SecondAggregator.pairs(b)));
  }

  @Override
  public void gauge(String name, Labels series, long tsMillis, double value) {
    points.add(new PointRecords.GaugePoint(name, series.asMap(), tsMillis, value));
  }

  @Override
  public void check(String name, Labels series, long tsMillis, boolean ok) {
    points.add(new PointRecords.CheckPoint(name, series.asMap(), tsMillis, ok));
  }

  /** True when nothing was accepted into this body. */
  public boolean isEmpty() {
    return points.isEmpty() && requests.isEmpty();
  }

  /** The records, requests first. */
  public List<Keyed> records() {
    List<Keyed> out = new ArrayList<>();
    for (SeriesSecond s : requests.records()) {
      out.add(new Keyed(key(s.labels()), s.second() * 1_000L, s.encode()));
    }
    for (PointRecords.Point p : points) {
      long ts =
          p instanceof PointRecords.Interval i
              ? i.endMillis()
              : p instanceof PointRecords.GaugePoint g
                  ? g.tsMillis()
                  : ((PointRecords.CheckPoint) p).tsMillis();
      out.add(new Keyed(key(p.labels()), ts, PointRecords.encode(p)));
    }
    return out;
  }

  private String key(Map<String, String> labels) {
    String v = labels.get(keyLabel);
    return v == null ? "" : v;
  }
}
