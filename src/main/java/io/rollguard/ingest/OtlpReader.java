package io.rollguard.ingest;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.rollguard.config.RollguardConfig;
import io.rollguard.window.BucketBounds;
import io.rollguard.window.BucketedLatency;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps an OTLP {@code ExportMetricsServiceRequest} onto the series model (SPEC 1.4), staging what
 * it maps to exactly as JSON ingest stages its items, so both commit through the same checks:
 *
 * <ul>
 *   <li>each resource is a batch: {@code service.name} is the service, the configured resource
 *       attributes become labels ({@code otlp.resource_labels});
 *   <li>a data point's attributes are its own labels, minus {@code otlp.drop_attributes};
 *   <li>histogram and exponential-histogram points of the request metrics ({@code
 *       otlp.request_metrics}) are requests: their buckets' counts at the values their layout
 *       records them at ({@link BucketBounds}), all failed when the point's status says so;
 *   <li>gauge and sum points are gauges by metric name; anything else is counted and ignored.
 * </ul>
 *
 * <p>Cumulative points become deltas per stream ({@link OtlpStreams}); delta points count as they
 * are. Not thread-safe: one per {@link Ingestor}.
 */
final class OtlpReader {

  /** The largest count one data point may carry (a window counts requests as ints). */
  private static final long MAX_POINT_COUNT = Integer.MAX_VALUE;

  private final IngestLimits limits;
  private final LabelSets labelSets;
  private final OtlpStreams streams;
  private final Set<String> requestMetrics;
  private final Map<String, String> resourceLabels;
  private final Set<String> dropAttributes;
  private final StringBuilder key = new StringBuilder(256);

  OtlpReader(
      IngestLimits limits,
      LabelSets labelSets,
      OtlpStreams streams,
      RollguardConfig.Otlp settings) {
    this.limits = limits;
    this.labelSets = labelSets;
    this.streams = streams;
    this.requestMetrics = Set.copyOf(settings.requestMetrics());
    this.resourceLabels = settings.resourceLabels();
    this.dropAttributes = Set.copyOf(settings.dropAttributes());
  }

  /**
   * Stages everything {@code request} maps to; what it cannot take is rejected in {@code out}. A
   * resource whose service the token may not write is rejected whole before any of its points
   * touches the cumulative streams.
   */
  void read(
      ExportMetricsServiceRequest request,
      long nowMillis,
      Staging staging,
      IngestOutcome out,
      java.util.function.Predicate<String> serviceAllowed) {
    List<ResourceMetrics> resources = request.getResourceMetricsList();
    List<String> resourceKeys = new java.util.ArrayList<>();
    for (int r = 0; r < resources.size(); r++) {
      ResourceMetrics rm = resources.get(r);
      Staging.Batch batch = new Staging.Batch(r, 0);
      List<KeyValue> resourceAttributes = rm.getResource().getAttributesList();
      batch.service = serviceName(resourceAttributes);
      batch.requestFrom = staging.requests.size();
      batch.requestTo = batch.requestFrom;
      if (resourceAttributes.size() > MAX_ATTRIBUTES) {
        out.reject(
            RejectReason.LABELS,
            points(rm),
            r,
            0,
            "resourceMetrics[" + r + "]: more than " + MAX_ATTRIBUTES + " resource attributes");
        continue;
      }
      if (!serviceAllowed.test(batch.service)) {
        out.reject(
            RejectReason.FORBIDDEN,
            points(rm),
            r,
            0,
            "this token may not write service '" + batch.service + "'");
        continue;
      }
      batch.labels = resourceLabels(resourceAttributes, batch);
      staging.batches.add(batch);
      String resourceKey = streamKeyOf(resourceAttributes);
      resourceKeys.add(resourceKey);
      Point point = new Point(batch, r, nowMillis, out);
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        String scopeKey =
            resourceKey
                + '\u0002'
                + sm.getScope().getName()
                + '\u0002'
                + sm.getScope().getVersion();
        point.knownStart = streams.knownStart(resourceKey);
        for (Metric m : sm.getMetricsList()) {
          point.metric = m.getName();
          readMetric(m, scopeKey, point, staging);
        }
      }
    }
    // streams of these resources that appear later began while we were listening to them
    for (int i = 0; i < resourceKeys.size(); i++) {
      streams.rememberResource(resourceKeys.get(i), lastStart, nowMillis);
    }
  }

  /** The start time of the last cumulative point read (the SDK's, shared by its streams). */
  private long lastStart;

  /** At most this many attributes per resource or data point (each one costs a label or more). */
  static final int MAX_ATTRIBUTES = 128;

  /** At most this many buckets per histogram point (SDKs default to 160 exponential buckets). */
  static final int MAX_BUCKETS = 4_096;

  private static long points(ResourceMetrics rm) {
    long n = 0;
    for (ScopeMetrics sm : rm.getScopeMetricsList()) {
      for (Metric m : sm.getMetricsList()) {
        n +=
            switch (m.getDataCase()) {
              case GAUGE -> m.getGauge().getDataPointsCount();
              case SUM -> m.getSum().getDataPointsCount();
              case HISTOGRAM -> m.getHistogram().getDataPointsCount();
              case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
              case SUMMARY -> m.getSummary().getDataPointsCount();
              default -> 1;
            };
      }
    }
    return Math.max(1, n);
  }

  /** Where a data point stands, for its messages and checks. */
  private final class Point {
    final Staging.Batch batch;
    final int resource;
    final long nowMillis;
    final IngestOutcome out;
    String metric;
    int index;

    /** The start time the resource's streams were seen with before this request; 0: none. */
    long knownStart;

    Point(Staging.Batch batch, int resource, long nowMillis, IngestOutcome out) {
      this.batch = batch;
      this.resource = resource;
      this.nowMillis = nowMillis;
      this.out = out;
    }

    void reject(RejectReason reason, String message) {
      out.reject(
          reason,
          1,
          resource,
          0,
          "resourceMetrics["
              + resource
              + "] metric '"
              + metric
              + "' point "
              + index
              + ": "
              + message);
    }

    /** The point's time in ms if it may count; else rejects it and returns {@code MIN_VALUE}. */
    long time(long timeUnixNano) {
      if (timeUnixNano <= 0) {
        reject(RejectReason.INVALID, "timeUnixNano is required");
        return Long.MIN_VALUE;
      }
      long ts = timeUnixNano / 1_000_000L;
      String late = limits.timeProblem(ts, nowMillis, "time");
      if (late != null) {
        reject(limits.timeReason(ts, nowMillis), late);
        return Long.MIN_VALUE;
      }
      return ts;
    }
  }

  private void readMetric(Metric m, String resourceKey, Point point, Staging staging) {
    switch (m.getDataCase()) {
      case HISTOGRAM ->
          readRequestPoints(
              m,
              m.getHistogram().getDataPointsList(),
              m.getHistogram().getAggregationTemporality(),
              point,
              (p, unit, cumulative) ->
                  readHistogram(p, unit, cumulative, resourceKey, point, staging));
      case EXPONENTIAL_HISTOGRAM ->
          readRequestPoints(
              m,
              m.getExponentialHistogram().getDataPointsList(),
              m.getExponentialHistogram().getAggregationTemporality(),
              point,
              (p, unit, cumulative) ->
                  readExponential(p, unit, cumulative, resourceKey, point, staging));
      case GAUGE -> readNumbers(m.getGauge().getDataPointsList(), point, staging);
      case SUM -> readNumbers(m.getSum().getDataPointsList(), point, staging);
      case SUMMARY -> point.out.ignore(m.getSummary().getDataPointsCount());
      default -> point.out.ignore(1);
    }
  }

  /** Reads one histogram point of a request metric, in {@code unit} µs per unit. */
  @FunctionalInterface
  private interface RequestPointReader<P> {
    void read(P point, double unit, boolean cumulative);
  }

  /** The points of a histogram metric: requests when it is a request metric, else ignored. */
  private <P> void readRequestPoints(
      Metric m,
      List<P> points,
      AggregationTemporality temporality,
      Point point,
      RequestPointReader<P> reader) {
    if (!requestMetrics.contains(m.getName())) {
      point.out.ignore(points.size());
      return;
    }
    double unit = microsPerUnit(m.getUnit());
    boolean cumulative = temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
    for (int i = 0; i < points.size(); i++) {
      point.index = i;
      if (Double.isNaN(unit)) {
        point.reject(RejectReason.INVALID, unitProblem(m.getUnit()));
      } else {
        reader.read(points.get(i), unit, cumulative);
      }
    }
  }

  private void readNumbers(List<NumberDataPoint> points, Point point, Staging staging) {
    for (int i = 0; i < points.size(); i++) {
      point.index = i;
      NumberDataPoint p = points.get(i);
      if (noRecordedValue(p.getFlags())) {
        continue;
      }
      double value =
          switch (p.getValueCase()) {
            case AS_DOUBLE -> p.getAsDouble();
            case AS_INT -> (double) p.getAsInt();
            default -> Double.NaN;
          };
      if (!Double.isFinite(value)) {
        point.reject(RejectReason.INVALID, "the value must be a finite number");
        continue;
      }
      LabelSets.Set own = ownLabels(p.getAttributesList(), point);
      long ts = own == null ? Long.MIN_VALUE : point.time(p.getTimeUnixNano());
      if (ts != Long.MIN_VALUE) {
        staging.gauges.add(new Staging.Gauge(point.batch, own, point.metric, ts, value));
        point.batch.otherItems++;
      }
    }
  }

  private void readHistogram(
      HistogramDataPoint p,
      double unit,
      boolean cumulative,
      String resourceKey,
      Point point,
      Staging staging) {
    if (noRecordedValue(p.getFlags())) {
      return;
    }
    int bounds = p.getExplicitBoundsCount();
    int buckets = p.getBucketCountsCount();
    if (buckets > MAX_BUCKETS) {
      point.reject(RejectReason.INVALID, "more than " + MAX_BUCKETS + " buckets");
      return;
    }
    if (buckets != 0 && buckets != bounds + 1) {
      point.reject(
          RejectReason.INVALID,
          "bucketCounts must have one more entry than explicitBounds ("
              + buckets
              + " for "
              + bounds
              + " bounds)");
      return;
    }
    double[] upper = new double[bounds];
    for (int i = 0; i < bounds; i++) {
      double b = p.getExplicitBounds(i);
      if (!Double.isFinite(b) || (i > 0 && b <= p.getExplicitBounds(i - 1))) {
        point.reject(RejectReason.INVALID, "explicitBounds must be finite and increasing");
        return;
      }
      upper[i] = b * unit;
    }
    long[] counts = new long[buckets];
    long total = 0;
    for (int i = 0; i < buckets; i++) {
      long c = p.getBucketCounts(i);
      if (c < 0 || c > Long.MAX_VALUE / MAX_BUCKETS) {
        point.reject(RejectReason.INVALID, "bucket counts must be >= 0 and < 2^51");
        return;
      }
      counts[i] = c;
      total += c;
    }
    if (buckets > 0 && total != p.getCount()) {
      point.reject(
          RejectReason.INVALID,
          "count (" + p.getCount() + ") is not the sum of bucketCounts (" + total + ")");
      return;
    }
    if (buckets == 0) {
      point.out.ignore(1); // count and sum only: no distribution to take
      return;
    }
    LabelSets.Set own = ownLabels(p.getAttributesList(), point);
    long ts = own == null ? Long.MIN_VALUE : point.time(p.getTimeUnixNano());
    if (ts == Long.MIN_VALUE) {
      return;
    }
    BucketBounds layout = BucketBounds.explicit(upper);
    long[] delta = counts;
    if (cumulative) {
      OtlpStreams.Stream stream = stream(resourceKey, "h", p.getAttributesList(), point);
      if (stream == null) {
        return;
      }
      delta = new long[buckets];
      lastStart = p.getStartTimeUnixNano();
      synchronized (stream) {
        OtlpStreams.Kind kind =
            streams.explicit(
                stream,
                p.getStartTimeUnixNano(),
                p.getTimeUnixNano(),
                layout,
                counts,
                delta,
                point.knownStart);
        if (kind == OtlpStreams.Kind.NOTHING) {
          point.out.acceptHistogram();
          return;
        }
      }
    }
    if (!fitsOnePoint(delta, 0, point)) {
      return;
    }
    BucketedLatency latency = new BucketedLatency(layout);
    for (int i = 0; i < buckets; i++) {
      if (delta[i] == 0) {
        continue;
      }
      if (bounds == 0) {
        latency.addWithoutLatency((int) delta[i]); // one bucket: how many, not how long
      } else {
        latency.add(layout.explicitValueMicros(i), (int) delta[i], layout.explicitUpperMicros(i));
      }
    }
    stage(latency, own, ts, p.getAttributesList(), point, staging);
  }

  /** Whether what a point adds fits a window's count (2^31 - 1); else rejects it. */
  private static boolean fitsOnePoint(long[] counts, long more, Point point) {
    long total = more;
    for (long c : counts) {
      total += c;
    }
    if (total > MAX_POINT_COUNT) {
      point.reject(
          RejectReason.INVALID,
          "one point may add at most 2^31-1 observations (this one adds " + total + ")");
      return false;
    }
    return true;
  }

  private void readExponential(
      ExponentialHistogramDataPoint p,
      double unit,
      boolean cumulative,
      String resourceKey,
      Point point,
      Staging staging) {
    if (noRecordedValue(p.getFlags())) {
      return;
    }
    int scale = p.getScale();
    if (scale < -10 || scale > 20) {
      point.reject(RejectReason.INVALID, "scale " + scale + " is outside -10..20");
      return;
    }
    int n = p.getPositive().getBucketCountsCount();
    int negativeBuckets = p.getNegative().getBucketCountsCount();
    if (n > MAX_BUCKETS || negativeBuckets > MAX_BUCKETS) {
      point.reject(RejectReason.INVALID, "more than " + MAX_BUCKETS + " buckets on a side");
      return;
    }
    long limit = Long.MAX_VALUE / (2L * MAX_BUCKETS + 2);
    long zero = p.getZeroCount();
    long negative = 0;
    boolean bad = zero < 0 || zero > limit;
    for (int i = 0; i < negativeBuckets && !bad; i++) {
      long c = p.getNegative().getBucketCounts(i);
      bad = c < 0 || c > limit;
      negative += c;
    }
    long[] counts = new long[n];
    long total = zero + negative;
    for (int i = 0; i < n && !bad; i++) {
      long c = p.getPositive().getBucketCounts(i);
      bad = c < 0 || c > limit;
      counts[i] = c;
      total += c;
    }
    if (bad) {
      point.reject(RejectReason.INVALID, "bucket counts must be >= 0 and < 2^50");
      return;
    }
    if (total != p.getCount()) {
      point.reject(
          RejectReason.INVALID,
          "count (" + p.getCount() + ") is not zeroCount plus the bucket counts (" + total + ")");
      return;
    }
    LabelSets.Set own = ownLabels(p.getAttributesList(), point);
    long ts = own == null ? Long.MIN_VALUE : point.time(p.getTimeUnixNano());
    if (ts == Long.MIN_VALUE) {
      return;
    }
    int offset = p.getPositive().getOffset();
    long[] delta = counts;
    long zeros = zero + negative;
    if (cumulative) {
      OtlpStreams.Stream stream = stream(resourceKey, "e", p.getAttributesList(), point);
      if (stream == null) {
        return;
      }
      lastStart = p.getStartTimeUnixNano();
      OtlpStreams.ExponentialDelta d;
      synchronized (stream) {
        d =
            streams.exponential(
                stream,
                p.getStartTimeUnixNano(),
                p.getTimeUnixNano(),
                scale,
                offset,
                counts,
                zero,
                negative,
                point.knownStart);
      }
      if (d.kind == OtlpStreams.Kind.NOTHING) {
        point.out.acceptHistogram();
        return;
      }
      scale = d.scale;
      offset = d.offset;
      delta = d.counts;
      zeros = d.zero;
    }
    if (!fitsOnePoint(delta, zeros, point)) {
      return;
    }
    // zero bucket and (impossible for latencies) negative values: recorded as 0
    BucketedLatency latency =
        BucketedLatency.exponential(scale, p.getZeroThreshold(), unit, zeros, offset, delta);
    stage(latency, own, ts, p.getAttributesList(), point, staging);
  }

  private void stage(
      BucketedLatency latency,
      LabelSets.Set own,
      long ts,
      List<KeyValue> attributes,
      Point point,
      Staging staging) {
    int errors = failed(attributes) ? (int) latency.total() : 0;
    staging.buckets.add(new Staging.Buckets(point.batch, own, ts, latency, errors));
    point.batch.otherItems++;
  }

  /** The cumulative stream of a point; null (and rejected) when the stream cap is reached. */
  private OtlpStreams.Stream stream(
      String scopeKey, String type, List<KeyValue> attributes, Point point) {
    key.setLength(0);
    key.append(point.metric)
        .append('\u0000')
        .append(type)
        .append('\u0000')
        .append(scopeKey)
        .append('\u0000');
    appendSorted(attributes, key);
    OtlpStreams.Stream s = streams.stream(key.toString(), point.nowMillis);
    if (s == null) {
      point.reject(
          RejectReason.CARDINALITY,
          "too many cumulative OTLP streams (at most limits.max_series); send delta temporality");
    }
    return s;
  }

  private static String streamKeyOf(List<KeyValue> attributes) {
    StringBuilder b = new StringBuilder(128);
    appendSorted(attributes, b);
    return b.toString();
  }

  /** Appends {@code key=value} pairs sorted by key: senders need not keep an order. */
  private static void appendSorted(List<KeyValue> attributes, StringBuilder into) {
    int n = attributes.size(); // at most MAX_ATTRIBUTES: checked before
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(
        order, (a, b) -> attributes.get(a).getKey().compareTo(attributes.get(b).getKey()));
    for (int i = 0; i < n; i++) {
      KeyValue kv = attributes.get(order[i]);
      into.append(kv.getKey()).append('=').append(text(kv.getValue())).append('\u0001');
    }
  }

  /** Whether a request point failed: a 5xx status, or an {@code error.type}. */
  static boolean failed(List<KeyValue> attributes) {
    for (KeyValue kv : attributes) {
      switch (kv.getKey()) {
        case "http.response.status_code", "http.status_code", "status" -> {
          if (statusCode(kv.getValue()) >= 500) {
            return true;
          }
        }
        case "error.type" -> {
          String t = text(kv.getValue());
          if (!t.isEmpty() && !t.equalsIgnoreCase("none")) {
            return true;
          }
        }
        case "outcome" -> {
          if (text(kv.getValue()).equals("SERVER_ERROR")) {
            return true;
          }
        }
        case "rpc.grpc.status_code" -> {
          // the server's faults: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
          // UNAVAILABLE, DATA_LOSS (client errors such as NOT_FOUND are not)
          long code = statusCode(kv.getValue());
          if (code == 2 || code == 4 || code == 12 || code == 13 || code == 14 || code == 15) {
            return true;
          }
        }
        default -> {}
      }
    }
    return false;
  }

  private static long statusCode(AnyValue v) {
    if (v.getValueCase() == AnyValue.ValueCase.INT_VALUE) {
      return v.getIntValue();
    }
    if (v.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
      String s = v.getStringValue();
      if (!s.isEmpty() && s.length() <= 3 && s.chars().allMatch(Character::isDigit)) {
        return Integer.parseInt(s);
      }
    }
    return 0;
  }

  private LabelSets.Set ownLabels(List<KeyValue> attributes, Point point) {
    if (attributes.size() > MAX_ATTRIBUTES) {
      point.reject(RejectReason.LABELS, "more than " + MAX_ATTRIBUTES + " attributes");
      return null;
    }
    labelSets.start();
    for (KeyValue kv : attributes) {
      if (!dropAttributes.contains(kv.getKey())) {
        labelSets.add(kv.getKey(), text(kv.getValue()));
      }
    }
    if (labelSets.overflowed()) {
      point.reject(RejectReason.LABELS, "too many attributes");
      return null;
    }
    return labelSets.intern();
  }

  private LabelSets.Set resourceLabels(List<KeyValue> attributes, Staging.Batch batch) {
    labelSets.start();
    java.util.HashSet<String> added = new java.util.HashSet<>();
    for (var e : resourceLabels.entrySet()) {
      for (KeyValue kv : attributes) {
        if (kv.getKey().equals(e.getKey()) && added.add(e.getValue())) {
          labelSets.add(e.getValue(), text(kv.getValue()));
        }
      }
    }
    if (labelSets.overflowed()) {
      batch.problem = "too many resource labels";
    }
    return labelSets.intern();
  }

  private static String serviceName(List<KeyValue> attributes) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals("service.name")) {
        String name = text(kv.getValue());
        if (!name.isEmpty()) {
          return name;
        }
      }
    }
    return "unknown_service"; // what the SDKs report when service.name is not set
  }

  /** An attribute's value as label text: strings as they are, scalars printed, lists joined. */
  static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case ARRAY_VALUE -> {
        StringBuilder b = new StringBuilder();
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          if (b.length() > 0) {
            b.append(',');
          }
          b.append(text(e));
        }
        yield b.toString();
      }
      case BYTES_VALUE ->
          java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case KVLIST_VALUE -> {
        StringBuilder b = new StringBuilder();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          if (b.length() > 0) {
            b.append(',');
          }
          b.append(kv.getKey()).append('=').append(text(kv.getValue()));
        }
        yield b.toString();
      }
      default -> "";
    };
  }

  private static boolean noRecordedValue(int flags) {
    return (flags & 1) != 0; // DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK
  }

  /**
   * Microseconds per unit of a duration metric: UCUM ({@code s}, {@code ms}; what the semantic
   * conventions use) or spelled out ({@code milliseconds}: what Micrometer sends); an empty unit is
   * seconds, as the semantic conventions say. NaN when the unit is not a time unit.
   */
  static double microsPerUnit(String unit) {
    return switch (unit) {
      case "s", "", "seconds", "second" -> 1_000_000.0;
      case "ms", "milliseconds", "millisecond" -> 1_000.0;
      case "us", "µs", "microseconds", "microsecond" -> 1.0;
      case "ns", "nanoseconds", "nanosecond" -> 0.001;
      case "min", "minutes", "minute" -> 60_000_000.0;
      default -> Double.NaN;
    };
  }

  private static String unitProblem(String unit) {
    return "unit '" + unit + "' is not a time unit (s, ms, us, ns)";
  }

  @Override
  public String toString() {
    return "OtlpReader" + Arrays.asList(requestMetrics, streams);
  }
}
