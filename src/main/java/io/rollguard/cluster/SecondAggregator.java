package io.rollguard.cluster;

import io.rollguard.window.Latency;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the request samples of one body into one {@link SeriesSecond} per series and second, in the
 * order series first appear. Not thread-safe: one per body.
 */
public final class SecondAggregator {

  private record Key(Map<String, String> labels, long second) {}

  /**
   * The bucket of every request, appended as they come (an array store per sample, no boxing);
   * sorted and counted once, when the records are made. Grows with the body, which is bounded.
   */
  private static final class Counts {
    int[] ok = new int[16];
    int okSize;
    int[] failed = new int[4];
    int failedSize;

    void add(int bucket, boolean isOk) {
      if (isOk) {
        if (okSize == ok.length) {
          ok = Arrays.copyOf(ok, okSize * 2);
        }
        ok[okSize++] = bucket;
      } else {
        if (failedSize == failed.length) {
          failed = Arrays.copyOf(failed, failedSize * 2);
        }
        failed[failedSize++] = bucket;
      }
    }
  }

  private final Map<Key, Counts> counts = new LinkedHashMap<>();

  /** The series-second of the previous call: a run of one series' samples looks it up once. */
  private Map<String, String> lastLabels;

  private long lastSecond;
  private Counts last;

  /**
   * One request of the series {@code labels} at {@code atMillis}. Consecutive calls with the same
   * map instance (not changed in between) and second share one lookup.
   */
  public void add(Map<String, String> labels, long atMillis, long latencyMicros, boolean ok) {
    long second = Math.floorDiv(atMillis, 1_000L);
    if (labels != lastLabels || second != lastSecond || last == null) {
      last = counts.computeIfAbsent(new Key(Map.copyOf(labels), second), k -> new Counts());
      lastLabels = labels;
      lastSecond = second;
    }
    last.add(Latency.bucketOf(latencyMicros), ok);
  }

  public boolean isEmpty() {
    return counts.isEmpty();
  }

  /** The records, one per series-second. */
  public List<SeriesSecond> records() {
    List<SeriesSecond> out = new ArrayList<>(counts.size());
    counts.forEach(
        (k, c) ->
            out.add(
                new SeriesSecond(
                    k.labels(), k.second(), runs(c.ok, c.okSize), runs(c.failed, c.failedSize))));
    return out;
  }

  /** (bucket, count) pairs in bucket order of the first {@code size} buckets (sorts them). */
  static int[] runs(int[] buckets, int size) {
    Arrays.sort(buckets, 0, size);
    int distinct = 0;
    for (int i = 0; i < size; i++) {
      if (i == 0 || buckets[i] != buckets[i - 1]) {
        distinct++;
      }
    }
    int[] pairs = new int[distinct * 2];
    int p = -2;
    for (int i = 0; i < size; i++) {
      if (i == 0 || buckets[i] != buckets[i - 1]) {
        p += 2;
        pairs[p] = buckets[i];
      }
      pairs[p + 1]++;
    }
    return pairs;
  }

  /** Adds {@code count} latencies of {@code micros} to {@code buckets}, in their window bucket. */
  static void count(TreeMap<Integer, Integer> buckets, long micros, long count) {
    if (count > 0) {
      buckets.merge(
          Latency.bucketOf(micros), (int) Math.min(Integer.MAX_VALUE, count), Integer::sum);
    }
  }

  static int[] pairs(TreeMap<Integer, Integer> buckets) {
    int[] pairs = new int[buckets.size() * 2];
    int i = 0;
    for (var b : buckets.entrySet()) {
      pairs[i++] = b.getKey();
      pairs[i++] = b.getValue();
    }
    return pairs;
  }
}
