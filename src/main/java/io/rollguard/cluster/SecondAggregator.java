package io.rollguard.cluster;

import io.rollguard.window.Latency;
import java.util.ArrayList;
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

  private static final class Counts {
    final TreeMap<Integer, Integer> ok = new TreeMap<>();
    final TreeMap<Integer, Integer> failed = new TreeMap<>();
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
    (ok ? last.ok : last.failed).merge(Latency.bucketOf(latencyMicros), 1, Integer::sum);
  }

  public boolean isEmpty() {
    return counts.isEmpty();
  }

  /** The records, one per series-second. */
  public List<SeriesSecond> records() {
    List<SeriesSecond> out = new ArrayList<>(counts.size());
    counts.forEach(
        (k, c) -> out.add(new SeriesSecond(k.labels(), k.second(), pairs(c.ok), pairs(c.failed))));
    return out;
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
