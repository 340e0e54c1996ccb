package io.rollguard.window;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bucket layout of pre-bucketed latencies (OTLP histograms, Prometheus classic and native
 * histograms): where each bucket's observations are recorded, and how far a quantile computed from
 * them may be from the exact one. Values are known only to lie somewhere in their bucket, so a
 * quantile is no better than the width of the bucket it falls in; HdrHistogram's own 1/256 comes on
 * top of that.
 *
 * <p>A bucket {@code (lo, hi]} is recorded at the value whose relative distance to both ends is the
 * same, {@code 2·lo·hi / (lo + hi)}, so the bound of a quantile that falls in it is {@code (hi -
 * lo) / (hi + lo)}. The first explicit bucket {@code (0, hi]} is recorded at {@code hi} and the
 * overflow bucket {@code (lo, +inf)} at {@code lo}: a quantile there says "at most" or "more than"
 * and is {@link #UNBOUNDED}.
 *
 * <p>Instances are interned ({@link #explicit}, {@link #exponential}), so the streams of one
 * exporter share one, and readers that merge many series see few distinct layouts. Immutable.
 */
public final class BucketBounds {

  /**
   * The data does not bound the quantile: it falls in the first bucket ({@code (0, hi]}, reported
   * as {@code hi}) or the overflow bucket ({@code (lo, +inf)}, reported as {@code lo}). The API
   * writes it as {@code null}.
   */
  public static final double UNBOUNDED = Double.POSITIVE_INFINITY;

  private static final int MAX_INTERNED = 1_024;
  private static final int MAX_INTERNED_BOUNDS = 256;
  private static final ConcurrentHashMap<BucketBounds, BucketBounds> INTERNED =
      new ConcurrentHashMap<>();

  /** Explicit upper bounds in µs, ascending; null for an exponential layout. */
  private final double[] upperMicros;

  /** Exponential layout: scale and zero threshold in µs. */
  private final int scale;

  private final double zeroThresholdMicros;
  private final double exponentialError;
  private final int hash;

  private BucketBounds(double[] upperMicros, int scale, double zeroThresholdMicros) {
    this.upperMicros = upperMicros;
    this.scale = scale;
    this.zeroThresholdMicros = zeroThresholdMicros;
    if (upperMicros == null) {
      double base = Math.pow(2.0, Math.scalb(1.0, -scale));
      this.exponentialError = 1 - 2 / (base + 1); // (base - 1) / (base + 1), also for base = inf
      this.hash = 31 * Integer.hashCode(scale) + Double.hashCode(zeroThresholdMicros);
    } else {
      this.exponentialError = Double.NaN;
      this.hash = Arrays.hashCode(upperMicros);
    }
  }

  /**
   * The layout of an explicit-bucket histogram whose buckets end at {@code upperMicros} (ascending,
   * finite, µs); the last bucket is the overflow bucket above the last bound.
   */
  public static BucketBounds explicit(double[] upperMicros) {
    return intern(new BucketBounds(upperMicros.clone(), 0, 0));
  }

  /**
   * The layout of an exponential histogram of {@code scale} (bucket {@code i} is {@code (base^i,
   * base^(i+1)]} with {@code base = 2^(2^-scale)}), whose zero bucket holds values up to {@code
   * zeroThresholdMicros}.
   */
  public static BucketBounds exponential(int scale, double zeroThresholdMicros) {
    return intern(new BucketBounds(null, scale, Math.max(0, zeroThresholdMicros)));
  }

  private static BucketBounds intern(BucketBounds b) {
    if (b.upperMicros != null && b.upperMicros.length > MAX_INTERNED_BOUNDS) {
      return b; // hostile sizes are not kept
    }
    BucketBounds known = INTERNED.get(b);
    if (known != null) {
      return known;
    }
    if (INTERNED.size() >= MAX_INTERNED) {
      return b; // equal layouts then stop sharing one instance; answers are the same
    }
    known = INTERNED.putIfAbsent(b, b);
    return known == null ? b : known;
  }

  /** How many buckets an explicit layout has (bounds + 1); 0 for an exponential one. */
  public int explicitBuckets() {
    return upperMicros == null ? 0 : upperMicros.length + 1;
  }

  /** Where the observations of explicit bucket {@code i} are recorded, in µs. */
  public double explicitValueMicros(int i) {
    if (i == 0) {
      return upperMicros.length == 0 ? 0 : Math.max(0, upperMicros[0]);
    }
    double lo = upperMicros[i - 1];
    if (i == upperMicros.length) {
      return lo;
    }
    double hi = upperMicros[i];
    return lo <= 0 ? hi : 2 * lo * hi / (lo + hi);
  }

  /** Where the observations of exponential bucket {@code index} are recorded, in µs per unit. */
  public double exponentialValue(int index) {
    double base = Math.pow(2.0, Math.scalb(1.0, -scale));
    double lower = Math.pow(2.0, Math.scalb((double) index, -scale));
    return lower * 2 / (1 + 1 / base); // 2·lo·hi / (lo + hi)
  }

  /** The upper end of exponential bucket {@code index}, in units. */
  public double exponentialUpper(int index) {
    return Math.pow(2.0, Math.scalb((double) index + 1, -scale));
  }

  /** The upper end of explicit bucket {@code i} in µs (+inf for the overflow bucket). */
  public double explicitUpperMicros(int i) {
    return i == upperMicros.length ? Double.POSITIVE_INFINITY : upperMicros[i];
  }

  /** For exponential layouts: the scale; {@link Integer#MIN_VALUE} for explicit ones. */
  public int scale() {
    return upperMicros == null ? scale : Integer.MIN_VALUE;
  }

  /** For exponential layouts: the zero bucket's threshold in µs. */
  public double zeroThresholdMicros() {
    return zeroThresholdMicros;
  }

  /**
   * The bound on {@code |reported - exact| / exact} of a quantile reported as {@code micros} from
   * data of this layout, HdrHistogram's rounding included, or {@link #UNBOUNDED}.
   */
  public double relativeErrorAt(double micros) {
    double hdr = Latency.QUANTILE_RELATIVE_ERROR;
    double own;
    if (upperMicros == null) {
      own = micros <= zeroThresholdMicros ? (zeroThresholdMicros > 0 ? 1.0 : 0) : exponentialError;
    } else {
      // the reported value may have moved by HdrHistogram's rounding: the buckets on both sides
      own = Math.max(bucketError(micros * (1 - hdr)), bucketError(micros * (1 + hdr)));
    }
    return Math.min(UNBOUNDED, (1 + own) * (1 + hdr) - 1);
  }

  /** The widest bound of any bucket of this layout: what a mean of its data is within. */
  public double maxRelativeError() {
    if (upperMicros == null) {
      return Math.min(
          UNBOUNDED, (1 + exponentialError) * (1 + Latency.QUANTILE_RELATIVE_ERROR) - 1);
    }
    return UNBOUNDED; // the first and the overflow bucket
  }

  private double bucketError(double micros) {
    int i = Arrays.binarySearch(upperMicros, micros);
    int bucket = i >= 0 ? i : -i - 1; // upper-inclusive: a value equal to a bound is in its bucket
    if (bucket == 0 || bucket == upperMicros.length) {
      return UNBOUNDED;
    }
    double lo = upperMicros[bucket - 1];
    double hi = upperMicros[bucket];
    return lo <= 0 ? UNBOUNDED : (hi - lo) / (hi + lo);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BucketBounds b
        && hash == b.hash
        && scale == b.scale
        && Double.compare(zeroThresholdMicros, b.zeroThresholdMicros) == 0
        && Arrays.equals(upperMicros, b.upperMicros);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return upperMicros == null
        ? "exponential(scale " + scale + ")"
        : "explicit" + Arrays.toString(upperMicros) + "µs";
  }
}
