package io.rollguard.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.Snappy;
import io.rollguard.config.RollguardConfig;
import io.rollguard.window.BucketBounds;
import io.rollguard.window.BucketedLatency;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maps a Prometheus remote write 1.0 request (SPEC 1.4) onto the series model, staging what it maps
 * to as JSON ingest stages its items, so both commit through the same checks:
 *
 * <ul>
 *   <li>the body is a Snappy block (Netty's codec) holding a protobuf {@code WriteRequest}, read
 *       field by field with protobuf's own {@link CodedInputStream} (no message objects);
 *   <li>{@code _bucket} series of the request metrics ({@code remote_write.request_metrics}) are
 *       classic histograms: reassembled per label set and turned into per-scrape bucket counts
 *       ({@link PromHistograms}), failed when a {@code code}/{@code status}/{@code
 *       http_response_status_code} label is 5xx; their {@code _count}, {@code _sum} and {@code
 *       _created} series add nothing the buckets do not;
 *   <li>native histograms of the request metrics map like OTLP exponential histograms;
 *   <li>every other sample is a gauge by metric name; stale markers are skipped;
 *   <li>the service is the {@code remote_write.service_label} label, else {@code job}; the other
 *       labels but {@code __name__} and {@code le} are labels.
 * </ul>
 *
 * <p>Not thread-safe: one per {@link Ingestor}.
 */
final class RemoteWriteReader {

  /** Prometheus' stale marker: a NaN with this bit pattern ends a series. */
  static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  private final IngestLimits limits;
  private final LabelSets labelSets;
  private final PromHistograms histograms;
  private final OtlpStreams nativeStreams;
  private final Set<String> requestMetrics;
  private final String serviceLabel;
  private java.util.function.Predicate<String> serviceAllowed = s -> true;

  /** One time series as read: its labels and samples, reused from series to series. */
  private final List<String> names = new ArrayList<>();

  private final List<String> values = new ArrayList<>();
  private double[] sampleValues = new double[16];
  private long[] sampleTimes = new long[16];
  private int samples;
  private final List<byte[]> nativeHistograms = new ArrayList<>();

  RemoteWriteReader(
      IngestLimits limits,
      LabelSets labelSets,
      PromHistograms histograms,
      OtlpStreams nativeStreams,
      RollguardConfig.RemoteWrite settings) {
    this.limits = limits;
    this.labelSets = labelSets;
    this.histograms = histograms;
    this.nativeStreams = nativeStreams;
    this.requestMetrics = Set.copyOf(settings.requestMetrics());
    this.serviceLabel = settings.serviceLabel();
  }

  /**
   * The protobuf inside a Snappy block, checked against the body limit before it is inflated: the
   * block's first varint is its uncompressed length.
   */
  static byte[] unsnappy(byte[] body, int length, long maxBytes)
      throws MalformedBodyException, TooLargeException {
    long declared = 0;
    int shift = 0;
    int i = 0;
    while (true) {
      if (i >= length || shift > 35) {
        throw new MalformedBodyException("the body is not a Snappy block (no length preamble)");
      }
      int b = body[i++] & 0xff;
      declared |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        break;
      }
      shift += 7;
    }
    if (declared > maxBytes) {
      throw new TooLargeException(declared);
    }
    ByteBuf in = Unpooled.wrappedBuffer(body, 0, length);
    ByteBuf out = Unpooled.buffer((int) declared, (int) declared);
    try {
      new Snappy().decode(in, out);
      if (out.readableBytes() != declared) {
        throw new MalformedBodyException("the Snappy block is shorter than its preamble says");
      }
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      return bytes;
    } catch (DecompressionException | IndexOutOfBoundsException | IllegalArgumentException e) {
      // Netty's decoder meets hostile blocks with any of these
      throw new MalformedBodyException(
          "the body is not a valid Snappy block (Content-Encoding: snappy, block format): "
              + e.getMessage());
    } finally {
      in.release();
      out.release();
    }
  }

  /** The decompressed body declares more than the limit. */
  static final class TooLargeException extends Exception {
    private static final long serialVersionUID = 1L;

    TooLargeException(long bytes) {
      super("the decompressed body would be " + bytes + " bytes");
    }
  }

  /**
   * Stages everything the {@code WriteRequest} in {@code proto} maps to; what it cannot take is
   * rejected in {@code out}.
   *
   * @throws MalformedBodyException when {@code proto} is not a {@code WriteRequest}
   */
  void read(
      byte[] proto,
      long nowMillis,
      Staging staging,
      IngestOutcome out,
      java.util.function.Predicate<String> serviceAllowed)
      throws MalformedBodyException {
    this.serviceAllowed = serviceAllowed;
    try {
      CodedInputStream in = CodedInputStream.newInstance(proto);
      int index = 0;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == (1 << 3 | 2)) { // repeated TimeSeries timeseries = 1
          int limit = in.pushLimit(in.readRawVarint32());
          readSeries(in);
          in.popLimit(limit);
          map(index++, nowMillis, staging, out);
        } else {
          in.skipField(tag); // metadata (3), fields of later versions
        }
      }
    } catch (InvalidProtocolBufferException e) {
      staging.clear();
      throw new MalformedBodyException(
          "the body is not a remote write WriteRequest: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      staging.clear();
      throw new MalformedBodyException("the body is not a remote write WriteRequest: " + e);
    }
  }

  private void readSeries(CodedInputStream in) throws IOException {
    names.clear();
    values.clear();
    samples = 0;
    nativeHistograms.clear();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 1 << 3 | 2 -> { // Label labels = 1 {string name = 1; string value = 2}
          int limit = in.pushLimit(in.readRawVarint32());
          String name = "";
          String value = "";
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            switch (t) {
              case 1 << 3 | 2 -> name = in.readStringRequireUtf8();
              case 2 << 3 | 2 -> value = in.readStringRequireUtf8();
              default -> in.skipField(t);
            }
          }
          in.popLimit(limit);
          names.add(name);
          values.add(value);
        }
        case 2 << 3 | 2 -> { // Sample samples = 2 {double value = 1; int64 timestamp = 2}
          int limit = in.pushLimit(in.readRawVarint32());
          double value = 0;
          long ts = 0;
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            switch (t) {
              case 1 << 3 | 1 -> value = in.readDouble();
              case 2 << 3 -> ts = in.readInt64();
              default -> in.skipField(t);
            }
          }
          in.popLimit(limit);
          if (samples == sampleValues.length) {
            sampleValues = java.util.Arrays.copyOf(sampleValues, samples * 2);
            sampleTimes = java.util.Arrays.copyOf(sampleTimes, samples * 2);
          }
          sampleValues[samples] = value;
          sampleTimes[samples++] = ts;
        }
        case 4 << 3 | 2 -> nativeHistograms.add(in.readByteArray()); // Histogram histograms = 4
        default -> in.skipField(tag); // exemplars (3)
      }
    }
  }

  /** The series' target (service and instance), whose first time stamp PromHistograms keeps. */
  private String target;

  /** Labels beyond the limits, checked before any state is made for them; null when fine. */
  private String labelProblem() {
    if (names.size() > limits.maxLabels() + 2) { // __name__ and le are not labels
      return "too many labels: " + names.size() + " (max_labels is " + limits.maxLabels() + ")";
    }
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).length() > limits.maxLabelValueLength()
          || values.get(i).length() > limits.maxLabelValueLength()) {
        return "label '"
            + names.get(i).substring(0, Math.min(40, names.get(i).length()))
            + "' is longer than max_label_value_length ("
            + limits.maxLabelValueLength()
            + ")";
      }
    }
    return null;
  }

  /** Where the series being mapped stands, for messages. */
  private String where(int index, String metric) {
    return "timeseries[" + index + "] " + (metric == null ? "(no __name__)" : metric) + ": ";
  }

  private void map(int index, long nowMillis, Staging staging, IngestOutcome out) {
    String metric = label("__name__");
    if (metric == null || metric.isEmpty()) {
      out.reject(
          RejectReason.INVALID, Math.max(1, samples), index, 0, where(index, null) + "no __name__");
      return;
    }
    String service = label(serviceLabel);
    if (service == null || service.isEmpty()) {
      service = label("job");
    }
    int items = Math.max(1, samples + nativeHistograms.size());
    if (service != null && !service.isEmpty() && !serviceAllowed.test(service)) {
      out.reject(
          RejectReason.FORBIDDEN,
          items,
          index,
          0,
          "this token may not write service '" + service + "'");
      return; // before any histogram state is touched
    }
    String labelProblem = labelProblem();
    if (labelProblem != null) {
      out.reject(RejectReason.LABELS, items, index, 0, where(index, metric) + labelProblem);
      return;
    }
    target = service + '\u0000' + label("instance");
    for (int i = 0; i < samples; i++) {
      histograms.heardBefore(target, sampleTimes[i], nowMillis); // notes the target's times
    }
    Staging.Batch batch = new Staging.Batch(index, 0);
    batch.service = service == null || service.isEmpty() ? null : service;
    batch.labels = LabelSets.EMPTY;
    batch.requestFrom = staging.requests.size();
    batch.requestTo = batch.requestFrom;
    staging.batches.add(batch);
    String base = histogramBase(metric);
    if (base != null && requestMetrics.contains(base)) {
      mapBucket(index, base, nowMillis, batch, staging, out);
      return;
    }
    if (requestMetrics.contains(metric) && !nativeHistograms.isEmpty()) {
      mapNative(index, metric, nowMillis, batch, staging, out);
      return;
    }
    if (suffixOfRequestMetric(metric)) {
      out.ignore(samples); // _count, _sum, _created of a request metric: the buckets say it all
      return;
    }
    if (!nativeHistograms.isEmpty()) {
      out.ignore(nativeHistograms.size());
    }
    LabelSets.Set own = ownLabels(false, batch);
    for (int i = 0; i < samples; i++) {
      double v = sampleValues[i];
      if (Double.doubleToRawLongBits(v) == STALE_NAN_BITS || !Double.isFinite(v)) {
        out.ignore(1);
        continue;
      }
      long ts = sampleTimes[i];
      if (stageable(ts, nowMillis, index, metric, out)) {
        staging.gauges.add(new Staging.Gauge(batch, own, metric, ts, v));
        batch.otherItems++;
      }
    }
  }

  private void mapBucket(
      int index,
      String base,
      long nowMillis,
      Staging.Batch batch,
      Staging staging,
      IngestOutcome out) {
    String leText = label("le");
    double le = parseLe(leText);
    if (Double.isNaN(le)) {
      out.reject(
          RejectReason.INVALID,
          Math.max(1, samples),
          index,
          0,
          where(index, base + "_bucket") + "le must be a number or +Inf, got '" + leText + "'");
      return;
    }
    LabelSets.Set own = ownLabels(true, batch);
    String key = base + '\u0000' + batch.service + '\u0000' + keyOf(true);
    PromHistograms.Histogram h = histograms.histogram(key, nowMillis);
    if (h == null) {
      out.reject(
          RejectReason.CARDINALITY,
          Math.max(1, samples),
          index,
          0,
          where(index, base + "_bucket") + "too many histograms (at most limits.max_series)");
      return;
    }
    double unit = base.endsWith("_milliseconds") ? 1_000.0 : 1_000_000.0;
    boolean failed = failed();
    for (int i = 0; i < samples; i++) {
      double v = sampleValues[i];
      long ts = sampleTimes[i];
      if (Double.doubleToRawLongBits(v) == STALE_NAN_BITS || !Double.isFinite(v) || v < 0) {
        out.ignore(1);
        continue;
      }
      if (!stageable(ts, nowMillis, index, base + "_bucket", out)) {
        continue;
      }
      List<PromHistograms.Increase> increases;
      synchronized (h) {
        increases = histograms.accept(h, le, ts, v, histograms.heardBefore(target, ts, nowMillis));
      }
      boolean staged = false;
      for (PromHistograms.Increase inc : increases) {
        BucketedLatency latency = latencyOf(inc, unit);
        if (latency.total() > 0) {
          staging.buckets.add(
              new Staging.Buckets(
                  batch, own, inc.tsMillis(), latency, failed ? (int) latency.total() : 0));
          batch.otherItems++;
          staged = true;
        }
      }
      if (!staged) {
        out.acceptHistogram(); // taken, adds nothing yet (commit counts what it stages)
      }
    }
  }

  /** An {@code le} label: a number, or {@code +Inf} as Prometheus writes it; NaN otherwise. */
  static double parseLe(String text) {
    if (text == null) {
      return Double.NaN;
    }
    switch (text) {
      case "+Inf", "Inf", "inf", "+inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      default -> {
        try {
          double v = Double.parseDouble(text);
          return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
  }

  /** Per-bucket counts at the values their layout records them at; +Inf is the overflow. */
  private static BucketedLatency latencyOf(PromHistograms.Increase inc, double unit) {
    double[] le = inc.le();
    int finite = le.length > 0 && Double.isInfinite(le[le.length - 1]) ? le.length - 1 : le.length;
    double[] upper = new double[finite];
    for (int i = 0; i < finite; i++) {
      upper[i] = le[i] * unit;
    }
    BucketBounds layout = BucketBounds.explicit(upper);
    BucketedLatency latency = new BucketedLatency(layout);
    for (int i = 0; i < le.length; i++) {
      int count = (int) Math.min(Integer.MAX_VALUE, inc.counts()[i]);
      if (finite == 0) {
        latency.addWithoutLatency(count); // only +Inf: how many, not how long
      } else {
        latency.add(layout.explicitValueMicros(i), count, layout.explicitUpperMicros(i));
      }
    }
    return latency;
  }

  private void mapNative(
      int index,
      String metric,
      long nowMillis,
      Staging.Batch batch,
      Staging staging,
      IngestOutcome out) {
    LabelSets.Set own = ownLabels(false, batch);
    String key = "prom\u0000" + metric + '\u0000' + batch.service + '\u0000' + keyOf(false);
    double unit = metric.endsWith("_milliseconds") ? 1_000.0 : 1_000_000.0;
    boolean failed = failed();
    for (byte[] bytes : nativeHistograms) {
      NativeHistogram n;
      try {
        n = NativeHistogram.parse(bytes);
      } catch (IOException e) {
        out.reject(RejectReason.INVALID, 1, index, 0, where(index, metric) + "bad histogram: " + e);
        continue;
      }
      if (n.stale) {
        out.ignore(1); // a stale marker: the series ended, nothing to count or compare
        continue;
      }
      if (n.schema < -4 || n.schema > 8 || n.floatCounts) {
        out.ignore(1); // custom buckets (-53) and float histograms are not request latencies
        continue;
      }
      if (!stageable(n.timestamp, nowMillis, index, metric, out)) {
        continue;
      }
      OtlpStreams.Stream stream = nativeStreams.stream(key, nowMillis);
      if (stream == null) {
        out.reject(
            RejectReason.CARDINALITY, 1, index, 0, where(index, metric) + "too many streams");
        continue;
      }
      OtlpStreams.ExponentialDelta d;
      synchronized (stream) {
        // Prometheus' bucket i is (base^(i-1), base^i]: OTLP's index i - 1. No start time: the
        // first histogram is a starting line, a decrease a reset.
        d =
            nativeStreams.exponential(
                stream,
                1,
                n.timestamp * 1_000_000L,
                n.schema,
                n.offset - 1,
                n.counts,
                n.zeroCount,
                n.negativeCount,
                0);
      }
      if (d.kind == OtlpStreams.Kind.NOTHING) {
        out.acceptHistogram();
        continue;
      }
      BucketedLatency latency =
          BucketedLatency.exponential(d.scale, n.zeroThreshold, unit, d.zero, d.offset, d.counts);
      if (latency.total() > 0) {
        staging.buckets.add(
            new Staging.Buckets(
                batch, own, n.timestamp, latency, failed ? (int) latency.total() : 0));
        batch.otherItems++;
      } else {
        out.acceptHistogram();
      }
    }
  }

  /** At most this wide a range of native buckets (SDKs keep 160; schema 8 spans more). */
  static final int MAX_NATIVE_BUCKETS = 4_096;

  /** A native histogram's integer-count fields, its buckets made dense from their spans. */
  static final class NativeHistogram {
    long count;
    long zeroCount;
    long negativeCount;
    double zeroThreshold;
    int schema;
    long timestamp;
    boolean floatCounts;
    boolean stale;
    int offset;
    long[] counts = new long[0];

    static NativeHistogram parse(byte[] bytes) throws IOException {
      try {
        return parseFields(bytes);
      } catch (RuntimeException e) {
        throw new IOException("not a native histogram: " + e, e);
      }
    }

    private static NativeHistogram parseFields(byte[] bytes) throws IOException {
      NativeHistogram h = new NativeHistogram();
      List<int[]> positiveSpans = new ArrayList<>();
      List<Long> positiveDeltas = new ArrayList<>();
      long negativeRunning = 0;
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag >>> 3) {
          case 1 -> h.count = in.readUInt64(); // count_int
          case 2, 7, 10, 13 -> { // count_float, zero_count_float, negative/positive_counts
            h.floatCounts = true;
            in.skipField(tag);
          }
          case 3 -> h.stale = Double.doubleToRawLongBits(in.readDouble()) == STALE_NAN_BITS;
          case 4 -> h.schema = in.readSInt32();
          case 5 -> h.zeroThreshold = in.readDouble();
          case 6 -> h.zeroCount = in.readUInt64(); // zero_count_int
          case 9 -> { // negative_deltas: only their total matters (recorded at 0)
            if ((tag & 7) == 2) {
              int limit = in.pushLimit(in.readRawVarint32());
              while (in.getBytesUntilLimit() > 0) {
                negativeRunning += in.readSInt64();
                h.negativeCount += negativeRunning;
              }
              in.popLimit(limit);
            } else {
              negativeRunning += in.readSInt64();
              h.negativeCount += negativeRunning;
            }
          }
          case 11 -> { // positive_spans {sint32 offset = 1; uint32 length = 2}
            int limit = in.pushLimit(in.readRawVarint32());
            int[] span = new int[2];
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
              switch (t >>> 3) {
                case 1 -> span[0] = in.readSInt32();
                case 2 -> span[1] = in.readUInt32();
                default -> in.skipField(t);
              }
            }
            in.popLimit(limit);
            positiveSpans.add(span);
          }
          case 12 -> { // positive_deltas (packed or not)
            if ((tag & 7) == 2) {
              int limit = in.pushLimit(in.readRawVarint32());
              while (in.getBytesUntilLimit() > 0) {
                positiveDeltas.add(in.readSInt64());
              }
              in.popLimit(limit);
            } else {
              positiveDeltas.add(in.readSInt64());
            }
          }
          case 15 -> h.timestamp = in.readInt64();
          default -> in.skipField(tag);
        }
      }
      h.densify(positiveSpans, positiveDeltas);
      return h;
    }

    /** Spans and delta-encoded counts to dense counts from {@link #offset}. */
    private void densify(List<int[]> spans, List<Long> deltas) throws IOException {
      if (spans.isEmpty()) {
        return;
      }
      long first = spans.get(0)[0];
      long last = first - 1;
      long total = 0;
      for (int s = 0; s < spans.size(); s++) {
        long length = Integer.toUnsignedLong(spans.get(s)[1]);
        if (s > 0 && spans.get(s)[0] < 0) {
          throw new IOException("a span offset after the first must not be negative");
        }
        last += (s > 0 ? spans.get(s)[0] : 0) + length;
        total += length;
        if (last - first + 1 > MAX_NATIVE_BUCKETS) {
          throw new IOException("more than " + MAX_NATIVE_BUCKETS + " buckets");
        }
      }
      if (total != deltas.size() || Math.abs(first) > 1 << 20) {
        throw new IOException("spans and bucket deltas do not match");
      }
      offset = (int) first;
      counts = new long[(int) (last - first + 1)];
      long at = first;
      long running = 0;
      int d = 0;
      for (int s = 0; s < spans.size(); s++) {
        at += s > 0 ? spans.get(s)[0] : 0;
        for (int k = 0; k < spans.get(s)[1]; k++) {
          running += deltas.get(d++);
          if (running < 0) {
            throw new IOException("a bucket count went negative");
          }
          counts[(int) (at - first)] = running;
          at++;
        }
      }
    }
  }

  private boolean stageable(long ts, long nowMillis, int index, String metric, IngestOutcome out) {
    String late = limits.timeProblem(ts, nowMillis, "timestamp");
    if (late != null) {
      out.reject(limits.timeReason(ts, nowMillis), 1, index, 0, where(index, metric) + late);
      return false;
    }
    return true;
  }

  /** Whether the series' status label says its requests failed (5xx). */
  private boolean failed() {
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (n.equals("code") || n.equals("status") || n.equals("http_response_status_code")) {
        String v = values.get(i);
        if (v.length() == 3 && v.charAt(0) == '5') {
          return true;
        }
      }
    }
    return false;
  }

  private String label(String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equals(name)) {
        return canonical(values.get(i));
      }
    }
    return null;
  }

  /** Recent metric and service names: an equal one is reused, with its hash already computed. */
  private final String[] recent = new String[512];

  private String canonical(String s) {
    int n = s.length();
    int slot = n == 0 ? 0 : (n * 31 + s.charAt(0) * 7 + s.charAt(n - 1)) & (recent.length - 1);
    String known = recent[slot];
    if (s.equals(known)) {
      return known;
    }
    recent[slot] = s;
    return s;
  }

  /** The series' own labels: all but {@code __name__}, the service label (and {@code le}). */
  private LabelSets.Set ownLabels(boolean histogram, Staging.Batch batch) {
    labelSets.start();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (n.equals("__name__") || n.equals(serviceLabel) || (histogram && n.equals("le"))) {
        continue;
      }
      labelSets.add(n, values.get(i));
    }
    if (labelSets.overflowed()) {
      batch.problem = "too many labels";
    }
    return labelSets.intern();
  }

  /** The label pairs that identify a stream (sorted: senders need not keep an order). */
  private String keyOf(boolean histogram) {
    List<String> pairs = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (!n.equals("__name__") && !(histogram && n.equals("le"))) {
        pairs.add(n + '=' + values.get(i));
      }
    }
    pairs.sort(null);
    return String.join("\u0001", pairs);
  }

  /** {@code x} for {@code x_bucket}; null for other names. */
  private static String histogramBase(String metric) {
    return metric.endsWith("_bucket") ? metric.substring(0, metric.length() - 7) : null;
  }

  private boolean suffixOfRequestMetric(String metric) {
    for (String suffix : new String[] {"_count", "_sum", "_created"}) {
      if (metric.endsWith(suffix)
          && requestMetrics.contains(metric.substring(0, metric.length() - suffix.length()))) {
        return true;
      }
    }
    return false;
  }
}
