package io.rollguard.ingest;

/**
 * Turns cumulative OTLP histogram points into per-export deltas: the last point of every stream
 * (metric, resource, attributes) is remembered, and each new point counts only what it adds to the
 * last. A changed {@code startTimeUnixNano}, a changed bucket layout or a count that went down is a
 * reset: the new point counts whole, as everything in it happened since its start.
 *
 * <p>The first point of a stream counts whole when the stream started after this server began
 * listening (a new or restarted client: nothing it exported is lost), and is only remembered when
 * it started before (its counts were for whoever listened then: nothing is double counted). A point
 * not newer than the last one seen (a retried export) adds nothing.
 *
 * <p>Thread-safe and shared by every event loop: one client's connections may land on several.
 * Streams not seen for {@code idleMillis} are forgotten; past {@code maxStreams} new streams are
 * refused.
 */
public final class OtlpStreams {

  /** What the last point of one stream held. Guarded by its own monitor. */
  static final class Stream {
    long startNanos;
    long timeNanos;
    long count;

    /** Explicit: the bucket counts. Exponential: positive buckets from {@link #offset}. */
    long[] buckets = new long[0];

    int scale;
    int offset;
    long zeroCount;
    long negativeCount;
    Object layout;
  }

  /** What a point adds to its stream: nothing, the whole point, or a difference. */
  enum Kind {
    NOTHING,
    WHOLE,
    DELTA
  }

  /** The layout of exponential streams, whose scale and offset are kept apart. */
  private static final Object EXPONENTIAL = new Object();

  private final StreamTable<Stream> streams;
  private final long startedAtNanos;

  /**
   * Streams for a server that began listening at {@code startedAtMillis}: at most {@code
   * maxStreams}, forgotten after {@code idleMillis} without a point.
   */
  public OtlpStreams(int maxStreams, long idleMillis, long startedAtMillis) {
    this.streams = new StreamTable<>(maxStreams, idleMillis, startedAtMillis);
    this.resources = new StreamTable<>(maxStreams, idleMillis, startedAtMillis);
    this.startedAtNanos = startedAtMillis * 1_000_000L;
  }

  /** The stream of {@code key}, created if a cap allows; null when refused. */
  Stream stream(String key, long nowMillis) {
    return streams.get(key, nowMillis, Stream::new);
  }

  /**
   * Whether the first point of a stream that started at {@code startNanos} counts whole: it started
   * after this server did, and after any stream was forgotten for being idle (a forgotten stream
   * that comes back with its old start must not count whole again).
   */
  boolean countsWhole(long startNanos) {
    long forgotten = streams.forgottenBeforeMillis();
    long after =
        forgotten == Long.MIN_VALUE
            ? startedAtNanos
            : Math.max(startedAtNanos, forgotten * 1_000_000L);
    return startNanos > 0 && startNanos >= after;
  }

  /**
   * The same, for a stream of a resource already seen, in an earlier request, with streams that
   * started at {@code knownStart}: SDKs give all their cumulative streams their own start, so a new
   * stream of that start (a first 5xx of a canary) began while we listened, and counts whole.
   */
  boolean countsWhole(long startNanos, long knownStart) {
    return countsWhole(startNanos) || (startNanos > 0 && startNanos == knownStart);
  }

  /** Resources seen, with the start time of their cumulative streams; bounded like streams. */
  private final StreamTable<long[]> resources;

  /** The start time {@code resourceKey}'s streams had in an earlier request; 0 when none. */
  long knownStart(String resourceKey) {
    long[] start = resources.peek(resourceKey);
    return start == null ? 0 : start[0];
  }

  /** Remembers that {@code resourceKey} sent streams that started at {@code startNanos}. */
  void rememberResource(String resourceKey, long startNanos, long nowMillis) {
    if (startNanos > 0) {
      long[] start = resources.get(resourceKey, nowMillis, () -> new long[1]);
      if (start != null) {
        start[0] = startNanos;
      }
    }
  }

  int size() {
    return streams.size();
  }

  /**
   * Explicit-bucket point: decides what it adds and writes that into {@code delta} (same length as
   * {@code counts}); updates the stream. Caller holds the stream's monitor.
   */
  Kind explicit(
      Stream s,
      long startNanos,
      long timeNanos,
      Object layout,
      long[] counts,
      long[] delta,
      long knownStart) {
    long count = 0;
    for (long c : counts) {
      count += c;
    }
    Kind kind;
    if (s.layout != null && startNanos == s.startNanos && timeNanos <= s.timeNanos) {
      return Kind.NOTHING; // a retried or older export, whatever its layout
    }
    if (s.layout == null) {
      kind = countsWhole(startNanos, knownStart) ? Kind.WHOLE : Kind.NOTHING;
    } else if (startNanos == s.startNanos && layout.equals(s.layout)) {
      kind = Kind.DELTA;
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] < s.buckets[i]) {
          kind = Kind.WHOLE; // went down: the client restarted without a new start time
          break;
        }
      }
    } else if (startNanos < s.startNanos && layout.equals(s.layout)) {
      return Kind.NOTHING; // an export from before the last reset, arriving late
    } else {
      kind = Kind.WHOLE;
    }
    for (int i = 0; i < counts.length; i++) {
      delta[i] = kind == Kind.DELTA ? counts[i] - s.buckets[i] : counts[i];
    }
    s.startNanos = startNanos;
    s.timeNanos = timeNanos;
    s.count = count;
    s.layout = layout;
    s.buckets = counts.clone();
    return kind;
  }

  /**
   * What an exponential point adds: positive bucket counts from {@link #offset} at {@link #scale},
   * and the zero bucket's (negative values counted with it).
   */
  static final class ExponentialDelta {
    Kind kind;
    int scale;
    int offset;
    long[] counts;
    long zero;
  }

  /**
   * Exponential point: what it adds. SDKs only ever lower the scale as the range grows: an earlier
   * point of a finer scale is merged down to this point's scale first, and a newer point of a finer
   * scale than the stream's (a client that reset its scale) is merged down to the stream's. Caller
   * holds the monitor.
   */
  ExponentialDelta exponential(
      Stream s,
      long startNanos,
      long timeNanos,
      int scale,
      int offset,
      long[] counts,
      long zeroCount,
      long negativeCount,
      long knownStart) {
    ExponentialDelta out = new ExponentialDelta();
    boolean known = s.layout == EXPONENTIAL;
    if (known && startNanos == s.startNanos && timeNanos <= s.timeNanos) {
      out.kind = Kind.NOTHING; // a retried or older export, whatever its scale
      return out;
    }
    if (known && startNanos < s.startNanos) {
      out.kind = Kind.NOTHING; // from before the last reset, arriving late
      return out;
    }
    if (known && startNanos == s.startNanos && scale > s.scale) {
      // merge this point down to the stream's scale, then compare like with like
      int shift = scale - s.scale;
      int lo = offset >> shift;
      int hi = counts.length == 0 ? lo : (offset + counts.length - 1) >> shift;
      long[] merged = new long[hi - lo + 1];
      for (int i = 0; i < counts.length; i++) {
        merged[((offset + i) >> shift) - lo] += counts[i];
      }
      scale = s.scale;
      offset = lo;
      counts = merged;
    }
    long[] previous = null;
    Kind kind;
    if (!known) {
      kind = countsWhole(startNanos, knownStart) ? Kind.WHOLE : Kind.NOTHING;
    } else if (startNanos == s.startNanos) {
      previous = downscaled(s, scale, offset, counts.length);
      kind = previous == null ? Kind.WHOLE : Kind.DELTA;
      if (kind == Kind.DELTA && zeroCount + negativeCount < s.zeroCount + s.negativeCount) {
        kind = Kind.WHOLE;
      }
      for (int i = 0; kind == Kind.DELTA && i < counts.length; i++) {
        if (counts[i] < previous[i]) {
          kind = Kind.WHOLE;
        }
      }
    } else {
      kind = Kind.WHOLE; // a new start time: everything in it is new
    }
    boolean d = kind == Kind.DELTA;
    out.kind = kind;
    out.scale = scale;
    out.offset = offset;
    out.counts = new long[counts.length];
    for (int i = 0; i < counts.length; i++) {
      out.counts[i] = d ? counts[i] - previous[i] : counts[i];
    }
    out.zero =
        d ? zeroCount + negativeCount - s.zeroCount - s.negativeCount : zeroCount + negativeCount;
    s.startNanos = startNanos;
    s.timeNanos = timeNanos;
    s.layout = EXPONENTIAL;
    s.scale = scale;
    s.offset = offset;
    s.buckets = counts.clone();
    s.zeroCount = zeroCount;
    s.negativeCount = negativeCount;
    return out;
  }

  /**
   * The stream's last buckets at {@code scale}, aligned to {@code offset} and {@code length}; null
   * when some of them fall outside that range (the layout no longer matches: a reset).
   */
  private static long[] downscaled(Stream s, int scale, int offset, int length) {
    long[] out = new long[length];
    int shift = s.scale - scale;
    for (int i = 0; i < s.buckets.length; i++) {
      if (s.buckets[i] == 0) {
        continue;
      }
      int index = (s.offset + i) >> shift;
      int at = index - offset;
      if (at < 0 || at >= length) {
        return null;
      }
      out[at] += s.buckets[i];
    }
    return out;
  }

  @Override
  public String toString() {
    return "OtlpStreams[" + streams.size() + "]";
  }
}
