package io.rollguard.ingest;

import io.rollguard.window.Labels;
import io.rollguard.window.RequestSamples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.AbstractHistogram;

/**
 * Items read from a body but not yet recorded. Requests are columns ({@link RequestSamples} plus
 * each one's series labels); gauges, checks and histograms, which come by the dozen rather than the
 * thousand, are small objects. Not thread-safe: owned by one {@link Ingestor}, cleared after every
 * commit.
 */
final class Staging {

  /** One batch object: where it stands in the body, its service and labels, its item ranges. */
  static final class Batch {
    final int index;
    final int line;
    String service;
    LabelSets.Set labels;
    int requestFrom;
    int requestTo;

    /** Items of other kinds staged for this batch, so a rejected batch counts them all. */
    int otherItems;

    /** What is wrong with the batch's own fields (its labels); null when nothing is. */
    String problem;

    /** Set at commit: the batch's series labels, or null when the whole batch was refused. */
    Labels resolved;

    Batch(int index, int line) {
      this.index = index;
      this.line = line;
    }
  }

  record Gauge(Batch batch, LabelSets.Set ownLabels, String name, long tsMillis, double value) {}

  record Check(Batch batch, LabelSets.Set ownLabels, String name, long tsMillis, boolean ok) {}

  record Histogram(
      Batch batch, LabelSets.Set ownLabels, long endMillis, AbstractHistogram micros, int errors) {}

  /** One pre-bucketed data point (OTLP histogram points); {@code errors} of it failed. */
  record Buckets(
      Batch batch,
      LabelSets.Set ownLabels,
      long endMillis,
      io.rollguard.window.BucketedLatency latency,
      int errors) {}

  final List<Batch> batches = new ArrayList<>();
  final RequestSamples requests = new RequestSamples();

  /** Per request: its own interned labels (null: the batch's only). */
  LabelSets.Set[] requestOwnLabels = new LabelSets.Set[256];

  final List<Gauge> gauges = new ArrayList<>();
  final List<Check> checks = new ArrayList<>();
  final List<Histogram> histograms = new ArrayList<>();
  final List<Buckets> buckets = new ArrayList<>();

  void addRequest(long tsMillis, long micros, boolean error, LabelSets.Set ownLabels) {
    int i = requests.size();
    if (i == requestOwnLabels.length) {
      requestOwnLabels = Arrays.copyOf(requestOwnLabels, i * 2);
    }
    requests.add(tsMillis, micros, error);
    requestOwnLabels[i] = ownLabels;
  }

  LabelSets.Set requestOwnLabels(int i) {
    return requestOwnLabels[i];
  }

  /** Sizes to roll back to if a batch turns out to be cut short by a syntax error. */
  record Mark(int batches, int requests, int gauges, int checks, int histograms, int buckets) {}

  Mark mark() {
    return new Mark(
        batches.size(),
        requests.size(),
        gauges.size(),
        checks.size(),
        histograms.size(),
        buckets.size());
  }

  /** How many items were staged after {@code mark}. */
  long itemsSince(Mark mark) {
    return requests.size()
        - mark.requests()
        + gauges.size()
        - mark.gauges()
        + checks.size()
        - mark.checks()
        + histograms.size()
        - mark.histograms()
        + buckets.size()
        - mark.buckets();
  }

  void rollBack(Mark mark) {
    Arrays.fill(requestOwnLabels, mark.requests(), requests.size(), null);
    requests.truncate(mark.requests());
    batches.subList(mark.batches(), batches.size()).clear();
    gauges.subList(mark.gauges(), gauges.size()).clear();
    checks.subList(mark.checks(), checks.size()).clear();
    histograms.subList(mark.histograms(), histograms.size()).clear();
    buckets.subList(mark.buckets(), buckets.size()).clear();
  }

  void clear() {
    Arrays.fill(requestOwnLabels, 0, requests.size(), null);
    requests.clear();
    batches.clear();
    gauges.clear();
    checks.clear();
    histograms.clear();
    buckets.clear();
  }
}
