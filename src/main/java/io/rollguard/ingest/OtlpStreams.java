package io.rollguard.ingest;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    volatile long seenMillis;
  }

  /** What a point adds to its stream: nothing, the whole point, or a difference. */
  enum Kind {
    NOTHING,
    WHOLE,
    DELTA
  }

  /** The layout of exponential streams, whose scale and offset are kept apart. */
  private static final Object EXPONENTIAL = new Object();

  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private final int maxStreams;
  private final long idleMillis;
  private volatile long wholeIfStartedAfterNanos;
  private volatile long lastSweepMillis;

  /**
   * Streams for a server that began listening at {@code startedAtMillis}: at most {@code
   * maxStreams}, forgotten after {@code idleMillis} without a point.
   */
  public OtlpStreams(int maxStreams, long idleMillis, long startedAtMillis) {
    this.maxStreams = maxStreams;
    this.idleMillis = idleMillis;
    this.wholeIfStartedAfterNanos = startedAtMillis * 1_000_000L;
    this.lastSweepMillis = startedAtMillis;
  }

  /** The stream of {@code key}, created if a cap allows; null when refused. */
  Stream stream(String key, long nowMillis) {
    Stream s = streams.get(key);
    if (s == null) {
      if (streams.size() >= maxStreams || nowMillis - lastSweepMillis > 60_000) {
        sweep(nowMillis);
        if (streams.size() >= maxStreams) {
          return null;
        }
      }
      s = streams.computeIfAbsent(key, k -> new Stream());
    }
    s.seenMillis = nowMillis;
    return s;
  }

  /** Whether the first point of a stream that started at {@code startNanos} counts whole. */
  boolean countsWhole(long startNanos) {
    return startNanos > 0 && startNanos >= wholeIfStartedAfterNanos;
  }

  int size() {
    return streams.size();
  }

  private void sweep(long nowMillis) {
    lastSweepMillis = nowMillis;
    long cutoff = nowMillis - idleMillis;
    boolean forgot = false;
    for (Iterator<Stream> it = streams.values().iterator(); it.hasNext(); ) {
      if (it.next().seenMillis < cutoff) {
        it.remove();
        forgot = true;
      }
    }
    if (forgot) {
      // a forgotten stream that comes back with its old start must not count whole again
      wholeIfStartedAfterNanos = Math.max(wholeIfStartedAfterNanos, cutoff * 1_000_000L);
    }
  }

  /**
   * Explicit-bucket point: decides what it adds and writes that into {@code delta} (same length as
   * {@code counts}); updates the stream. Caller holds the stream's monitor.
   */
  Kind explicit(
      Stream s, long startNanos, long timeNanos, Object layout, long[] counts, long[] delta) {
    long count = 0;
    for (long c : counts) {
      count += c;
    }
    Kind kind;
    if (s.layout == null) {
      kind = countsWhole(startNanos) ? Kind.WHOLE : Kind.NOTHING;
    } else if (startNanos == s.startNanos && layout.equals(s.layout)) {
      if (timeNanos <= s.timeNanos) {
        return Kind.NOTHING; // a retried or older export
      }
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
   * Exponential point: what it adds, as positive bucket counts from {@code offset} at {@code scale}
   * into {@code delta} (same length as {@code counts}) plus the returned zero and negative counts
   * in {@code zeroAndNegative}. An earlier point of a finer scale is merged down to this point's
   * scale first (SDKs lower the scale as the range grows). Caller holds the monitor.
   */
  Kind exponential(
      Stream s,
      long startNanos,
      long timeNanos,
      int scale,
      int offset,
      long[] counts,
      long zeroCount,
      long negativeCount,
      long[] delta,
      long[] zeroAndNegative) {
    Kind kind;
    long[] previous = null;
    if (s.layout == null) {
      kind = countsWhole(startNanos) ? Kind.WHOLE : Kind.NOTHING;
    } else if (startNanos == s.startNanos && s.layout == EXPONENTIAL && scale <= s.scale) {
      if (timeNanos <= s.timeNanos) {
        return Kind.NOTHING;
      }
      previous = downscaled(s, scale, offset, counts.length);
      kind = previous == null ? Kind.WHOLE : Kind.DELTA;
      if (kind == Kind.DELTA && (zeroCount < s.zeroCount || negativeCount < s.negativeCount)) {
        kind = Kind.WHOLE;
      }
      for (int i = 0; kind == Kind.DELTA && i < counts.length; i++) {
        if (counts[i] < previous[i]) {
          kind = Kind.WHOLE;
        }
      }
    } else if (startNanos < s.startNanos && s.layout == EXPONENTIAL) {
      return Kind.NOTHING;
    } else {
      kind = Kind.WHOLE;
    }
    boolean d = kind == Kind.DELTA;
    for (int i = 0; i < counts.length; i++) {
      delta[i] = d ? counts[i] - previous[i] : counts[i];
    }
    zeroAndNegative[0] = d ? zeroCount - s.zeroCount : zeroCount;
    zeroAndNegative[1] = d ? negativeCount - s.negativeCount : negativeCount;
    s.startNanos = startNanos;
    s.timeNanos = timeNanos;
    s.layout = EXPONENTIAL;
    s.scale = scale;
    s.offset = offset;
    s.buckets = counts.clone();
    s.zeroCount = zeroCount;
    s.negativeCount = negativeCount;
    return kind;
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
    return "OtlpStreams" + Arrays.asList(streams.size(), maxStreams);
  }
}
