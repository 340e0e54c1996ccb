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
    long requests;
    long errors;
    final TreeMap<Integer, Integer> buckets = new TreeMap<>();
  }

  private final Map<Key, Counts> counts = new LinkedHashMap<>();

  /** One request of the series {@code labels} at {@code atMillis}. */
  public void add(Map<String, String> labels, long atMillis, long latencyMicros, boolean ok) {
    Counts c =
        counts.computeIfAbsent(
            new Key(Map.copyOf(labels), Math.floorDiv(atMillis, 1_000L)), k -> new Counts());
    c.requests++;
    if (!ok) {
      c.errors++;
    }
    c.buckets.merge(Latency.bucketOf(latencyMicros), 1, Integer::sum);
  }

  /** The records, one per series-second. */
  public List<SeriesSecond> records() {
    List<SeriesSecond> out = new ArrayList<>(counts.size());
    counts.forEach(
        (k, c) -> {
          int[] pairs = new int[c.buckets.size() * 2];
          int i = 0;
          for (var b : c.buckets.entrySet()) {
            pairs[i++] = b.getKey();
            pairs[i++] = b.getValue();
          }
          out.add(new SeriesSecond(k.labels(), k.second(), c.requests, c.errors, pairs));
        });
    return out;
  }
}
