package io.rollguard.window;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Every live series, by kind and identity, and the caps on how many there may be.
 *
 * <p>Looking up an existing series never fails. Creating one fails (returns null) when it would
 * pass {@code maxSeries} in total or {@code maxSeriesPerService} for its {@code service} label; the
 * caller rejects that item and carries on. Series that saw no data for longer than the longest
 * window (plus future skew) hold nothing and are evicted by {@link #evictIdle(long)}.
 *
 * <p><b>Concurrency.</b> Thread-safe. Lookups are lock-free reads of concurrent maps; creation
 * holds a map bin lock; caps are compare-and-set counters, so they are never exceeded. The version
 * moves only after a series became visible or was removed (a stress test holds this).
 */
public final class SeriesRegistry {

  /** The name and labels of a gauge or check series. */
  private record NamedKey(String name, Labels labels) {}

  private final WindowSettings settings;
  private final int maxSeries;
  private final int maxSeriesPerService;
  private final AtomicInteger total = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong version =
      new java.util.concurrent.atomic.AtomicLong();
  private final Map<String, AtomicInteger> perService = new ConcurrentHashMap<>();
  private final Map<Labels, RequestWindow> requests = new ConcurrentHashMap<>();
  private final SloTaps sloTaps = new SloTaps();
  private final FineReach fineReach;
  private final Map<NamedKey, GaugeWindow> gauges = new ConcurrentHashMap<>();
  private final Map<NamedKey, CheckWindow> checks = new ConcurrentHashMap<>();

  public SeriesRegistry(WindowSettings settings, int maxSeries, int maxSeriesPerService) {
    this.settings = settings;
    this.fineReach = new FineReach(settings.fineReachMillis());
    this.maxSeries = maxSeries;
    this.maxSeriesPerService = maxSeriesPerService;
  }

  public WindowSettings settings() {
    return settings;
  }

  /** The SLO counts request series feed as their samples arrive. */
  /**
   * How far back request windows keep 1 s slices; set from the rules loaded ({@link FineReach}).
   */
  public FineReach fineReach() {
    return fineReach;
  }

  public SloTaps sloTaps() {
    return sloTaps;
  }

  /** The request window of {@code labels}, created if allowed; null when a cap refuses it. */
  public RequestWindow requests(Labels labels) {
    RequestWindow window = requests.get(labels);
    return window != null
        ? window
        : create(
            requests,
            labels,
            labels,
            () -> new RequestWindow(labels, settings, sloTaps, fineReach));
  }

  /** The gauge window named {@code name} under {@code labels}; null when a cap refuses it. */
  public GaugeWindow gauge(String name, Labels labels) {
    NamedKey key = new NamedKey(name, labels);
    GaugeWindow window = gauges.get(key);
    return window != null
        ? window
        : create(gauges, key, labels, () -> new GaugeWindow(name, labels, settings));
  }

  /** The check window named {@code name} under {@code labels}; null when a cap refuses it. */
  public CheckWindow check(String name, Labels labels) {
    NamedKey key = new NamedKey(name, labels);
    CheckWindow window = checks.get(key);
    return window != null
        ? window
        : create(checks, key, labels, () -> new CheckWindow(name, labels, settings));
  }

  /**
   * Creates the window of {@code key} if the caps allow, and only then moves {@link #version()}:
   * once the window is in the map, so a reader that sees the new version also sees the window.
   */
  private <K, W> W create(Map<K, W> windows, K key, Labels labels, Supplier<W> newWindow) {
    boolean[] created = new boolean[1];
    W window =
        windows.computeIfAbsent(
            key,
            k -> {
              if (!admit(labels)) {
                return null;
              }
              created[0] = true;
              return newWindow.get();
            });
    if (created[0]) {
      version.incrementAndGet();
    }
    return window;
  }

  public Collection<RequestWindow> requestWindows() {
    return Collections.unmodifiableCollection(requests.values());
  }

  public Collection<GaugeWindow> gaugeWindows() {
    return Collections.unmodifiableCollection(gauges.values());
  }

  public Collection<CheckWindow> checkWindows() {
    return Collections.unmodifiableCollection(checks.values());
  }

  /**
   * Grows whenever a series is created or evicted, so that readers can cache which series match a
   * selector and recompute only when the set changed.
   */
  public long version() {
    return version.get();
  }

  /** How many series of every kind are live. */
  public int size() {
    return total.get();
  }

  public int size(SeriesKind kind) {
    return switch (kind) {
      case REQUESTS -> requests.size();
      case GAUGE -> gauges.size();
      case CHECK -> checks.size();
    };
  }

  /**
   * Evicts series with no data received after {@code nowMillis} minus the retention; returns how
   * many.
   */
  public int evictIdle(long nowMillis) {
    long cutoff = nowMillis - settings.maxWindowMillis() - settings.maxFutureSkewMillis();
    return evict(labels -> true, cutoff);
  }

  /**
   * Evicts every series {@code which} matches, whatever its age (cluster mode: the series of a key
   * this node no longer owns, or is about to rebuild from the topic); returns how many.
   */
  public int evictWhere(java.util.function.Predicate<Labels> which) {
    return evict(which, Long.MAX_VALUE);
  }

  /** Evicts the series {@code which} matches that are idle since {@code idleSince}. */
  private int evict(java.util.function.Predicate<Labels> which, long idleSince) {
    return evictFrom(requests, k -> k, which, w -> w.evictIfIdleSince(idleSince))
        + evictFrom(gauges, NamedKey::labels, which, w -> w.evictIfIdleSince(idleSince))
        + evictFrom(checks, NamedKey::labels, which, w -> w.evictIfIdleSince(idleSince));
  }

  private <K, V> int evictFrom(
      Map<K, V> series,
      java.util.function.Function<K, Labels> labelsOf,
      java.util.function.Predicate<Labels> which,
      java.util.function.Predicate<V> evictable) {
    int evicted = 0;
    for (var e : series.entrySet()) {
      Labels labels = labelsOf.apply(e.getKey());
      if (which.test(labels)
          && evictable.test(e.getValue())
          && series.remove(e.getKey(), e.getValue())) {
        release(labels);
        evicted++;
      }
    }
    return evicted;
  }

  private boolean admit(Labels labels) {
    if (!tryIncrement(total, maxSeries)) {
      return false;
    }
    AtomicInteger service = perService.computeIfAbsent(serviceOf(labels), s -> new AtomicInteger());
    if (!tryIncrement(service, maxSeriesPerService)) {
      total.decrementAndGet();
      return false;
    }
    return true;
  }

  /** After the window left the map: a reader that sees the new version no longer sees it. */
  private void release(Labels labels) {
    version.incrementAndGet();
    total.decrementAndGet();
    AtomicInteger service = perService.get(serviceOf(labels));
    if (service != null) {
      service.decrementAndGet();
    }
  }

  private static String serviceOf(Labels labels) {
    String service = labels.get("service");
    return service == null ? "" : service;
  }

  private static boolean tryIncrement(AtomicInteger counter, int limit) {
    for (int current = counter.get(); current < limit; current = counter.get()) {
      if (counter.compareAndSet(current, current + 1)) {
        return true;
      }
    }
    return false;
  }
}
