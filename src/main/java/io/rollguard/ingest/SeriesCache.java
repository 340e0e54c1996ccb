package io.rollguard.ingest;

import io.rollguard.window.Labels;
import io.rollguard.window.RequestWindow;
import java.util.HashMap;
import java.util.Map;

/**
 * What an item's labels resolve to, remembered: the service, the batch's interned label set and the
 * item's own resolve once to the series' {@link Labels} (validated against the limits) or to why
 * they are refused, and, for request series, to the series' window. A body of many series whose
 * label sets were seen before thus records without building, sorting or hashing a label map per
 * item.
 *
 * <p>Keys compare the two sets by identity (they come from one {@link LabelSets}) and the service
 * by value. The cache is bounded: past {@link #MAX_ENTRIES} it starts over. A cached window may
 * since have been evicted: {@link RequestWindow#record} then refuses the write and the caller looks
 * the series up again. Not thread-safe: one per {@link Ingestor}.
 */
final class SeriesCache {

  static final int MAX_ENTRIES = 1 << 16;

  /** One resolution: {@code labels} or, when refused, {@code problem}; and the window, if known. */
  static final class Entry {
    final String service;
    final LabelSets.Set batch;
    final LabelSets.Set own;
    final int hash;
    final Labels labels;
    final String problem;
    RequestWindow window;

    /**
     * The gauge window last written under these labels, and its name: a sender that writes one
     * gauge per label set (Prometheus) finds it without a registry lookup.
     */
    String gaugeName;

    io.rollguard.window.GaugeWindow gauge;

    /** Samples of this series held by the {@link WriteBuffer}, created on first use. */
    io.rollguard.window.RequestSamples pending;

    Entry(
        String service,
        LabelSets.Set batch,
        LabelSets.Set own,
        int hash,
        Labels labels,
        String problem) {
      this.service = service;
      this.batch = batch;
      this.own = own;
      this.hash = hash;
      this.labels = labels;
      this.problem = problem;
    }
  }

  private final IngestLimits limits;
  private Entry[] table = new Entry[1 << 10];
  private int size;

  SeriesCache(IngestLimits limits) {
    this.limits = limits;
  }

  /** The resolution of {@code service} + {@code batch} + {@code own}, worked out once. */
  Entry get(String service, LabelSets.Set batch, LabelSets.Set own) {
    int h = LabelSets.mix(31 * (31 * service.hashCode() + batch.hash) + own.hash);
    int mask = table.length - 1;
    int slot = h & mask;
    for (Entry e = table[slot]; e != null; e = table[slot = (slot + 1) & mask]) {
      if (e.hash == h && e.batch == batch && e.own == own && e.service.equals(service)) {
        return e;
      }
    }
    Entry created = resolve(service, batch, own, h);
    if (size >= MAX_ENTRIES) {
      table = new Entry[table.length];
      size = 0;
    } else if (2 * (size + 1) > table.length) {
      Entry[] old = table;
      table = new Entry[old.length * 2];
      for (Entry e : old) {
        if (e != null) {
          table[free(e.hash)] = e;
        }
      }
    }
    table[free(h)] = created;
    size++;
    return created;
  }

  private int free(int h) {
    int mask = table.length - 1;
    int slot = h & mask;
    while (table[slot] != null) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private Entry resolve(String service, LabelSets.Set batch, LabelSets.Set own, int h) {
    Map<String, String> labels = new HashMap<>();
    String problem = merge(labels, batch, service);
    if (problem == null) {
      problem = merge(labels, own, service);
    }
    labels.put("service", service);
    if (problem == null) {
      problem = check(labels);
    }
    return new Entry(service, batch, own, h, problem == null ? Labels.of(labels) : null, problem);
  }

  private static String merge(Map<String, String> into, LabelSets.Set set, String service) {
    for (int i = 0; i < set.size(); i++) {
      if (set.names[i].equals("service") && !set.values[i].equals(service)) {
        return "labels may not change 'service' (set the batch's service instead)";
      }
      into.put(set.names[i], set.values[i]);
    }
    return null;
  }

  private String check(Map<String, String> labels) {
    if (labels.size() > limits.maxLabels()) {
      return "too many labels: " + labels.size() + " (max_labels is " + limits.maxLabels() + ")";
    }
    for (var e : labels.entrySet()) {
      if (e.getKey().isEmpty()) {
        return "label names must not be empty";
      }
      if (e.getKey().length() > limits.maxLabelValueLength()
          || e.getValue().length() > limits.maxLabelValueLength()) {
        return "label '"
            + abbreviate(e.getKey())
            + "' is longer than max_label_value_length ("
            + limits.maxLabelValueLength()
            + ")";
      }
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
