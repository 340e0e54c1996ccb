package io.rollguard.report;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to rollouts, for reports: every stage the deployer set, and every change of a
 * rollout's verdict (promote, hold, rollback) with its reasons. Bounded: entries older than {@code
 * retentionMillis} and beyond {@code maxEntries} are dropped, oldest first. Saved and restored with
 * the other state files.
 *
 * <p><b>Concurrency.</b> Written by the rules worker; {@link #between} may be called from any
 * thread (every method holds this object's monitor).
 */
public final class RolloutJournal {

  /**
   * One thing that happened: {@code event} is {@code stage}, {@code promote}, {@code hold} or
   * {@code rollback}.
   */
  public record Entry(
      String rollout,
      long atMillis,
      String event,
      String stage,
      int attempt,
      List<String> reasons) {
    public Entry {
      reasons = List.copyOf(reasons);
    }
  }

  private final long retentionMillis;
  private final int maxEntries;
  private final Deque<Entry> entries = new ArrayDeque<>();
  private final Map<String, String> lastDecision = new HashMap<>();

  public RolloutJournal(long retentionMillis, int maxEntries) {
    this.retentionMillis = retentionMillis;
    this.maxEntries = maxEntries;
  }

  /** A stage set by the deployer. */
  public synchronized void stageSet(String rollout, String stage, int attempt, long atMillis) {
    add(new Entry(rollout, atMillis, "stage", stage, attempt, List.of()));
  }

  /**
   * The verdict of {@code rollout} at an evaluation; recorded only when the decision changed (a
   * rollout seen for the first time records its decision unless it is hold). True when recorded.
   */
  public synchronized boolean verdict(
      String rollout,
      String decision,
      String stage,
      int attempt,
      List<String> reasons,
      long atMillis) {
    String now = state(attempt, stage, decision);
    String before = lastDecision.put(rollout, now);
    if (now.equals(before)) {
      return false;
    }
    if (before == null && decision.equals("hold")) {
      return false;
    }
    add(new Entry(rollout, atMillis, decision, stage, attempt, reasons));
    return true;
  }

  /** Entries with {@code from <= at < to}, oldest first. */
  public synchronized List<Entry> between(long from, long to) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.atMillis() >= from && e.atMillis() < to) {
        out.add(e);
      }
    }
    return out;
  }

  /** Everything kept, oldest first, to save. */
  public synchronized List<Entry> save() {
    return List.copyOf(entries);
  }

  /** Puts back what {@link #save} gave; the last decision of each rollout is known again. */
  public synchronized void restore(List<Entry> saved) {
    entries.clear();
    lastDecision.clear();
    for (Entry e : saved) {
      entries.add(e);
      if (!e.event().equals("stage")) {
        lastDecision.put(e.rollout(), state(e.attempt(), e.stage(), e.event()));
      }
    }
  }

  /** What a rollout's verdict is, to tell a change: its attempt, stage and decision. */
  private static String state(int attempt, String stage, String decision) {
    return attempt + "\u0000" + stage + "\u0000" + decision;
  }

  private void add(Entry e) {
    entries.add(e);
    while (entries.size() > maxEntries
        || (!entries.isEmpty()
            && entries.peekFirst().atMillis() < e.atMillis() - retentionMillis)) {
      entries.pollFirst();
    }
  }
}
