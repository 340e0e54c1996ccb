package io.rollguard.ingest;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What became of the items of one ingest request: how many were accepted and rejected, why, and the
 * first {@link #MAX_ERRORS} errors with where they stand. Not thread-safe: owned by the request
 * (which is handled on one event loop).
 */
public final class IngestOutcome {

  /** At most this many errors are listed; all are counted. */
  public static final int MAX_ERRORS = 50;

  /** One listed error: the batch (JSON array index, or NDJSON line - 1), its line, and what. */
  public record ItemError(int index, int line, String error) {}

  private long acceptedRequests;
  private long acceptedGauges;
  private long acceptedChecks;
  private long acceptedHistograms;
  private long ignored;
  private long rejected;
  private final long[] rejectedByReason = new long[REASONS.length];
  private final List<ItemError> errors = new ArrayList<>();

  private static final RejectReason[] REASONS = RejectReason.values();

  /**
   * Where an outcome stood, to go back to when what followed turns out void (an NDJSON line that
   * breaks half-way). Reusable: {@link #mark} overwrites it.
   */
  static final class Mark {
    private final long[] rejectedByReason = new long[REASONS.length];
    private long rejected;
    private int errors;

    long rejected() {
      return rejected;
    }
  }

  void reject(RejectReason reason, long items, int index, int line, String message) {
    if (items <= 0) {
      return;
    }
    rejected += items;
    rejectedByReason[reason.ordinal()] += items;
    if (errors.size() < MAX_ERRORS) {
      errors.add(new ItemError(index, line, message));
    }
  }

  /** Saves the rejections so far into {@code mark}. Accepted counts are not marked. */
  void mark(Mark mark) {
    System.arraycopy(rejectedByReason, 0, mark.rejectedByReason, 0, REASONS.length);
    mark.rejected = rejected;
    mark.errors = errors.size();
  }

  /** Forgets the rejections since {@code mark}. */
  void rollBack(Mark mark) {
    System.arraycopy(mark.rejectedByReason, 0, rejectedByReason, 0, REASONS.length);
    rejected = mark.rejected;
    errors.subList(mark.errors, errors.size()).clear();
  }

  void acceptRequests(long n) {
    acceptedRequests += n;
  }

  void acceptGauge() {
    acceptedGauges++;
  }

  void acceptCheck() {
    acceptedChecks++;
  }

  void acceptHistogram() {
    acceptedHistograms++;
  }

  /** Data points that map onto no series (neither accepted nor rejected). */
  void ignore(long n) {
    ignored += n;
  }

  public long ignored() {
    return ignored;
  }

  public long accepted() {
    return acceptedRequests + acceptedGauges + acceptedChecks + acceptedHistograms;
  }

  public long acceptedRequests() {
    return acceptedRequests;
  }

  public long acceptedGauges() {
    return acceptedGauges;
  }

  public long acceptedChecks() {
    return acceptedChecks;
  }

  public long acceptedHistograms() {
    return acceptedHistograms;
  }

  public long rejected() {
    return rejected;
  }

  public long rejected(RejectReason reason) {
    return rejectedByReason[reason.ordinal()];
  }

  /** The rejected counts of the reasons that occurred. */
  public Map<RejectReason, Long> rejectedByReason() {
    Map<RejectReason, Long> out = new EnumMap<>(RejectReason.class);
    for (RejectReason r : REASONS) {
      if (rejectedByReason[r.ordinal()] > 0) {
        out.put(r, rejectedByReason[r.ordinal()]);
      }
    }
    return out;
  }

  public List<ItemError> errors() {
    return List.copyOf(errors);
  }

  /**
   * The HTTP status this outcome deserves: 200 when anything was accepted or nothing was sent; when
   * nothing was accepted, 403 if a token was refused, 429 if only cardinality caps refused, else
   * 400.
   */
  public int status() {
    if (accepted() > 0 || rejected == 0) {
      return 200;
    }
    if (rejected(RejectReason.FORBIDDEN) > 0) {
      return 403;
    }
    if (rejected(RejectReason.CARDINALITY) == rejected) {
      return 429;
    }
    return 400;
  }
}
