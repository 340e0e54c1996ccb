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

  /** One request of the series {@code labels} at {@code atMillis}. */
  public void add(Map<String, String> labels, long atMillis, long latencyMicros, boolean ok) {
    Counts c =
        counts.computeIfAbsent(
            new Key(Map.copyOf(labels), Math.floorDiv(atMillis, 1_000L)), k -> new Counts());
    (ok ? c.ok : c.failed).merge(Latency.bucketOf(latencyMicros), 1, Integer::sum);
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
