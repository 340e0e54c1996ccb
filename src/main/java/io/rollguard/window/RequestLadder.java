package io.rollguard.window;

import java.util.Arrays;

/**
 * Request observations of one series: per time slice a request count, an error count and the
 * latency distribution, held in a ladder of levels whose slices grow coarser with age.
 *
 * <p>Level 0 holds 1 s slices as far back as its reach (the longest window read at 1 s resolution),
 * and each level after it holds coarser slices (10 s, 1 min, 5 min, 1 h) further back. A slice
 * moves up as it ages: once every slice of a coarser slice's span is older than its level's reach,
 * they are merged into that one coarser slice, exactly (counts add; latency buckets add, as
 * HdrHistogram merges do). At any moment each instant of the past is held by exactly one level, so
 * a read adds, per level, the slices of that level inside its window. A window whose far edge cuts
 * a coarse slice holding data starts at that slice's end: it is never longer than asked, and at
 * most one such slice shorter (where the slice is empty, nothing is left out: it starts on time).
 * Its near edge is always the current 1 s slice.
 *
 * <p>The {@link #OPEN} newest 1 s slices are open: mutable {@link LatencySlice}s, so that samples a
 * little late or a little ahead cost no re-encoding. Every other slice is sealed into one byte
 * array (its counts as varints, then its {@link LatencySlice#encodeInto encoded} distribution). A
 * sample for a sealed slice reopens it; it stays decoded until another slice is reopened, so a
 * backlog arriving in many runs for one second decodes it once.
 *
 * <p>Not thread-safe: owned by a {@link RequestWindow} and used under its monitor.
 */
final class RequestLadder {

  /** How many of the newest 1 s slices stay open. */
  static final int OPEN = 4;

  /** How many window lengths keep a running sum (rules rarely read more). */
  static final int MAX_SUMS = 4;

  private static final ThreadLocal<LatencySlice> MERGE = ThreadLocal.withInitial(LatencySlice::new);

  private final Level[] levels;
  private final long fineMillis;
  private final long skewMillis;

  /** The time the levels were last moved up to (the end of the newest 1 s slice); see advance. */
  private long advancedTo = Long.MIN_VALUE;

  private final LatencySlice[] open = new LatencySlice[OPEN];
  private final long[] openSlice = new long[OPEN];
  private final int[] openCount = new int[OPEN];
  private final int[] openErrors = new int[OPEN];

  /** The sealed slice a late sample reopened (null until one is), its level and slot. */
  private LatencySlice reopened;

  private int reopenedLevel = -1;
  private int reopenedSlot = -1;
  private long reopenedCount;
  private long reopenedErrors;

  private WindowSum[] sums;

  /** Grows whenever the sealed content changes other than by sealing: running sums start over. */
  private long sealedChanges;

  private long reads;

  /**
   * @param sliceMillis the slice length of each level, finest first, each a whole multiple of the
   *     one before
   * @param reachMillis how far behind the newest data each level holds its slices, ascending; the
   *     last is the longest window
   */
  RequestLadder(long[] sliceMillis, long[] reachMillis, long skewMillis) {
    this.levels = new Level[sliceMillis.length];
    this.fineMillis = sliceMillis[0];
    this.skewMillis = skewMillis;
    for (int k = 0; k < levels.length; k++) {
      boolean top = k == levels.length - 1;
      int ratio = top ? 0 : (int) (sliceMillis[k + 1] / sliceMillis[k]);
      long span = reachMillis[k] - (k == 0 ? 0 : reachMillis[k - 1]) + skewMillis;
      int slots = (int) ((span + sliceMillis[k] - 1) / sliceMillis[k]) + ratio + OPEN + 2;
      levels[k] = new Level(k, sliceMillis[k], reachMillis[k], ratio, slots);
    }
    Arrays.fill(openSlice, SliceRing.NO_SLICE);
  }

  private static final SliceRing.SlotReset NO_RESET = slot -> {};

  private final class Level implements SliceRing.SlotReset {
    final int index;
    final long sliceMillis;
    long reachMillis;

    /** Slices of this level per slice of the next; 0 for the top level. */
    final int ratio;

    /** This level's slices in 1 s slices. */
    final long fineSlices;

    SliceRing ring;
    byte[][] sealed;

    /**
     * Slices of this level below it have moved to the next level; NO_SLICE until the first write.
     * Always a whole multiple of {@link #ratio}. Unused on the top level.
     */
    long floor = SliceRing.NO_SLICE;

    Level(int index, long sliceMillis, long reachMillis, int ratio, int slots) {
      this.index = index;
      this.sliceMillis = sliceMillis;
      this.reachMillis = reachMillis;
      this.ratio = ratio;
      this.fineSlices = sliceMillis / fineMillis;
      this.ring = new SliceRing(sliceMillis, slots);
      this.sealed = new byte[slots][];
    }

    boolean top() {
      return ratio == 0;
    }

    /**
     * Makes room in the ring for every slice from this level's floor to {@code slice}, doubling it
     * as often as needed (a reach that changed, or a level receiving more than its share): a level
     * below the top never drops a slice it has not moved up.
     */
    void makeRoomFor(long slice) {
      if (top() || floor == SliceRing.NO_SLICE) {
        return;
      }
      long newest =
          ring.newestSlice() == SliceRing.NO_SLICE ? slice : Math.max(slice, ring.newestSlice());
      int slots = ring.slotCount();
      while (newest - floor + 1 > slots) {
        slots *= 2;
      }
      if (slots == ring.slotCount()) {
        return;
      }
      SliceRing bigger = new SliceRing(sliceMillis, slots);
      byte[][] moved = new byte[slots][];
      int movedReopened = -1;
      long held = ring.newestSlice();
      if (held != SliceRing.NO_SLICE) {
        for (long s = held - ring.slotCount() + 1; s <= held; s++) {
          int from = ring.slotOf(s);
          if (ring.holds(from, s)) {
            int to = bigger.slotForWrite(s * sliceMillis, NO_RESET);
            moved[to] = sealed[from];
            if (reopenedLevel == index && reopenedSlot == from) {
              movedReopened = to;
            }
          }
        }
      }
      ring = bigger;
      sealed = moved;
      if (reopenedLevel == index) {
        reopenedSlot = movedReopened;
        if (movedReopened < 0) {
          reopenedLevel = -1;
          reopened.clear();
        }
      }
    }

    /** The first 1 s slice this level holds (its floor), or MIN_VALUE for the top level. */
    long fineFloor() {
      return top() || floor == SliceRing.NO_SLICE ? Long.MIN_VALUE : floor * fineSlices;
    }

    @Override
    public void reset(int slot) {
      // The slice leaving this slot is gone for good: a sum that took it in must start over.
      long leaving = ring.sliceIn(slot);
      if (ring.holds(slot, leaving)) {
        forgetInSums(leaving * fineSlices, leaving * fineSlices + fineSlices - 1);
      }
      if (reopenedLevel == index && reopenedSlot == slot) {
        reopenedLevel = -1;
        reopenedSlot = -1;
        reopened.clear();
      }
      sealed[slot] = null;
    }
  }

  long fineSliceMillis() {
    return fineMillis;
  }

  /**
   * Takes new reaches for the levels (a new 1 s reach: {@link FineReach}). Nothing moves now: a
   * shorter reach moves slices up at the next write, a longer one keeps 1 s slices further back as
   * new ones arrive (rings grow to hold them). Running sums start over.
   */
  void setReach(long[] reachMillis) {
    for (int k = 0; k < levels.length; k++) {
      levels[k].reachMillis = reachMillis[k];
    }
    sealedChanges++;
  }

  /**
   * Records {@code requests} observations at {@code tsMillis}, {@code failed} of them errors, with
   * latencies given as {@code n} sorted (index, count) pairs. False, recording nothing, when the
   * sample is older than the ladder holds.
   */
  boolean add(long tsMillis, int requests, int failed, int[] indexes, int[] pairCounts, int n) {
    Level fine = levels[0];
    long slice = Math.floorDiv(tsMillis, fineMillis);
    if (fine.ring.newestSlice() == SliceRing.NO_SLICE || slice > fine.ring.newestSlice()) {
      sealOpenBefore(slice - OPEN + 1);
      advance((slice + 1) * fineMillis);
    }
    for (Level level : levels) {
      long s = Math.floorDiv(tsMillis, level.sliceMillis);
      if (!level.top() && s < level.floor) {
        continue;
      }
      level.makeRoomFor(s);
      int slot = level.ring.slotForWrite(tsMillis, level);
      if (slot < 0) {
        return false;
      }
      if (level.index == 0) {
        LatencySlice target = openFor(slice);
        if (target != null) {
          target.addSorted(indexes, pairCounts, n);
          int b = (int) Math.floorMod(slice, (long) OPEN);
          openCount[b] += requests;
          openErrors[b] += failed;
          return true;
        }
      }
      reopen(level, slot).addSorted(indexes, pairCounts, n);
      reopenedCount += requests;
      reopenedErrors += failed;
      return true;
    }
    return false;
  }

  /**
   * Moves slices up the ladder as the newest data reaches {@code endMillis}; a jump past everything
   * the ladder holds drops it. Each level moves only the groups it holds, so a long idle stretch
   * costs what the ladder holds, not the length of the stretch.
   */
  private void advance(long endMillis) {
    if (levels.length == 1) {
      return;
    }
    long longest = levels[levels.length - 1].reachMillis + skewMillis + levels[1].sliceMillis;
    if (advancedTo != Long.MIN_VALUE && endMillis - advancedTo > longest) {
      dropAll();
    }
    moveUp(endMillis);
    advancedTo = Math.max(advancedTo, endMillis);
  }

  /**
   * Moves up every whole group a level holds older than its reach, finest level first, so that what
   * a level receives older than its own reach moves on in the same pass.
   */
  private void moveUp(long endMillis) {
    for (int k = 0; k < levels.length - 1; k++) {
      Level level = levels[k];
      long target =
          Math.floorDiv(
                  Math.floorDiv(endMillis - level.reachMillis - skewMillis, level.sliceMillis),
                  level.ratio)
              * level.ratio;
      if (level.floor == SliceRing.NO_SLICE || level.ring.newestSlice() == SliceRing.NO_SLICE) {
        level.floor = Math.max(level.floor, target);
        continue;
      }
      long oldestHeld =
          Math.floorDiv(level.ring.newestSlice() - level.ring.slotCount() + 1, level.ratio)
              * level.ratio;
      if (level.floor < oldestHeld) {
        level.floor = Math.min(oldestHeld, target);
      }
      // Groups past the newest slice this level holds are empty: no need to visit them.
      while (level.floor < target && level.floor <= level.ring.newestSlice()) {
        merge(level, level.floor);
        level.floor += level.ratio;
      }
      level.floor = Math.max(level.floor, target);
    }
  }

  /** Merges the slices {@code [first, first + ratio)} of {@code level} into one of the next. */
  private void merge(Level level, long first) {
    LatencySlice merged = MERGE.get();
    merged.clear();
    long count = 0;
    long errors = 0;
    for (long s = first; s < first + level.ratio; s++) {
      int slot = level.ring.slotOf(s);
      if (!level.ring.holds(slot, s)) {
        continue;
      }
      if (reopenedLevel == level.index && reopenedSlot == slot) {
        merged.addAll(reopened);
        count += reopenedCount;
        errors += reopenedErrors;
        reopenedLevel = -1;
        reopenedSlot = -1;
        reopened.clear();
        sealedChanges++; // the reopened slice, never in a running sum, joins the sealed ones
      } else if (level.sealed[slot] != null) {
        byte[] bytes = level.sealed[slot];
        count += countOf(bytes);
        errors += errorsOf(bytes);
        int from = latencyFrom(bytes);
        if (from < bytes.length) {
          merged.addEncoded(bytes, from, 1);
        }
        level.sealed[slot] = null;
      }
    }
    if (count == 0 && errors == 0 && merged.distinctBuckets() == 0) {
      return;
    }
    Level up = levels[level.index + 1];
    long at = first * level.sliceMillis;
    up.makeRoomFor(Math.floorDiv(at, up.sliceMillis));
    int slot = up.ring.slotForWrite(at, up);
    if (slot < 0) {
      return; // older than the top level holds
    }
    if (reopenedLevel == up.index && reopenedSlot == slot) {
      reopened.addAll(merged);
      reopenedCount += count;
      reopenedErrors += errors;
      sealedChanges++; // sealed data joins the reopened slice, which sums leave out
      return;
    }
    if (up.sealed[slot] != null) {
      byte[] bytes = up.sealed[slot]; // cannot happen while groups move in order; kept exact anyway
      count += countOf(bytes);
      errors += errorsOf(bytes);
      if (latencyFrom(bytes) < bytes.length) {
        merged.addEncoded(bytes, latencyFrom(bytes), 1);
      }
      sealedChanges++;
    }
    up.sealed[slot] = seal(count, errors, merged);
  }

  private void dropAll() {
    for (Level level : levels) {
      Arrays.fill(level.sealed, null);
      level.floor = SliceRing.NO_SLICE;
    }
    if (reopened != null) {
      reopened.clear();
    }
    reopenedLevel = -1;
    reopenedSlot = -1;
    forgetInSums(Long.MIN_VALUE, Long.MAX_VALUE);
    sealedChanges++;
  }

  /** Running sums that took in any of the 1 s slices {@code [from, to]} start over. */
  private void forgetInSums(long from, long to) {
    if (sums == null) {
      return;
    }
    for (WindowSum sum : sums) {
      if (sum != null && !sum.empty() && to >= sum.from && from <= sum.to) {
        sum.clear();
      }
    }
  }

  /**
   * The first 1 s slice of the window whose nominal first slice is {@code first}: {@code first}
   * itself where 1 s slices reach or where the coarser slice it cuts holds nothing, else the end of
   * that slice.
   */
  private long windowStartSlice(long first) {
    for (Level level : levels) {
      if (level.top() || first >= level.fineFloor()) {
        long slice = Math.floorDiv(first, level.fineSlices);
        if (slice * level.fineSlices == first || !holdsData(level, slice)) {
          return first; // on a boundary, or nothing held in the slice it would leave out
        }
        return (slice + 1) * level.fineSlices;
      }
    }
    return first;
  }

  /** Whether {@code level} holds any observation in its slice {@code slice}. */
  private boolean holdsData(Level level, long slice) {
    if (level.ring.newestSlice() == SliceRing.NO_SLICE) {
      return false;
    }
    int slot = level.ring.slotOf(slice);
    if (!level.ring.holds(slot, slice)) {
      return false;
    }
    if (level.index == 0 && openSlice[(int) Math.floorMod(slice, (long) OPEN)] == slice) {
      return true;
    }
    return level.sealed[slot] != null || (reopenedLevel == level.index && reopenedSlot == slot);
  }

  /**
   * The nominal first 1 s slice of a window of {@code windowMillis} ending at {@code nowMillis}.
   */
  private long nominalFirst(long nowMillis, long windowMillis) {
    long n = Math.max(1, (windowMillis + fineMillis - 1) / fineMillis);
    return Math.floorDiv(nowMillis, fineMillis) - n + 1;
  }

  /** When the window of {@code windowMillis} ending at {@code nowMillis} actually starts. */
  long windowStartMillis(long nowMillis, long windowMillis) {
    return windowStartSlice(nominalFirst(nowMillis, windowMillis)) * fineMillis;
  }

  /**
   * Adds the trailing {@code windowMillis} ending at {@code nowMillis} into {@code into}; returns
   * when the window actually starts ({@link #windowStartMillis}).
   */
  long addTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    long first = windowStartSlice(nominalFirst(nowMillis, windowMillis));
    visit(first, Math.floorDiv(nowMillis, fineMillis), into, null, 0);
    return first * fineMillis;
  }

  /**
   * Adds the same as {@link #addTo} (and returns the same), for a reader that asks for this window
   * length again and again.
   *
   * <p>Sealed slices of the window come from a running sum kept per window length: each read adds
   * the slices sealed since the last one and takes away those that left (whole slices of whatever
   * level holds them by then: merges keep sums exact), so a read costs the window's distinct
   * buckets rather than all its slices. Open slices, and the one reopened slice, are added as they
   * are. The sum starts over from the slices when a sealed slice changed, when time went backwards
   * or jumped past the window, or when a slice it would take away is gone or straddles its edge.
   */
  long addToRunning(RequestAccumulator into, long nowMillis, long windowMillis) {
    long last = Math.floorDiv(nowMillis, fineMillis);
    long first = windowStartSlice(nominalFirst(nowMillis, windowMillis));
    long newest = levels[0].ring.newestSlice();
    long sealedTo = Math.min(last, newest - OPEN);
    if (newest == SliceRing.NO_SLICE || sealedTo < first) {
      visit(first, last, into, null, 0);
      return first * fineMillis;
    }
    WindowSum sum = sumFor(last - nominalFirst(nowMillis, windowMillis) + 1);
    advance(sum, first, sealedTo);
    into.addCounts(sum.count, sum.errors);
    sum.latency.addTo(into.latency());
    if (reopenedLevel >= 0) {
      Level level = levels[reopenedLevel];
      long from = level.ring.sliceIn(reopenedSlot) * level.fineSlices;
      if (from >= first && from + level.fineSlices - 1 <= sealedTo) {
        into.addCounts(reopenedCount, reopenedErrors);
        reopened.addTo(into.latency());
      }
    }
    visit(sealedTo + 1, last, into, null, 0);
    return first * fineMillis;
  }

  private void advance(WindowSum sum, long first, long sealedTo) {
    boolean rebuild =
        sum.empty()
            || sum.sealedChanges != sealedChanges
            || first < sum.from
            || sealedTo < sum.to
            || first > sum.to + 1;
    if (!rebuild && first > sum.from) {
      rebuild = !visit(sum.from, first - 1, null, sum, -1);
    }
    if (!rebuild && sealedTo > sum.to) {
      rebuild = !visit(sum.to + 1, sealedTo, null, sum, 1);
    }
    if (rebuild) {
      sum.clear();
      visit(first, sealedTo, null, sum, 1);
    }
    sum.from = first;
    sum.to = sealedTo;
    sum.sealedChanges = sealedChanges;
  }

  /**
   * Visits every slice held, of any level, that lies within the 1 s slices {@code [first, last]}:
   * into {@code into} (open and reopened slices included), or into {@code sum} with {@code sign}
   * (sealed slices only). Returns false when a held slice straddles {@code first} or {@code last}
   * (it is left out).
   */
  private boolean visit(long first, long last, RequestAccumulator into, WindowSum sum, int sign) {
    boolean whole = true;
    long below = Long.MAX_VALUE; // the first 1 s slice held by a finer level
    for (Level level : levels) {
      long lo = Math.max(first, level.fineFloor());
      long hi = Math.min(last, below - 1);
      below = level.fineFloor();
      if (lo <= hi && level.ring.newestSlice() != SliceRing.NO_SLICE) {
        whole &= visit(level, lo, hi, first, last, into, sum, sign);
      }
      if (level.top() || below <= first) {
        break; // no coarser level holds anything at or after first
      }
    }
    return whole;
  }

  /** {@link #visit} over the slices of one level within the 1 s slices {@code [lo, hi]}. */
  private boolean visit(
      Level level,
      long lo,
      long hi,
      long first,
      long last,
      RequestAccumulator into,
      WindowSum sum,
      int sign) {
    boolean whole = true;
    long m = level.fineSlices;
    long firstSlice = Math.floorDiv(lo, m);
    long lastSlice = Math.floorDiv(hi, m);
    firstSlice = Math.max(firstSlice, level.ring.newestSlice() - level.ring.slotCount() + 1);
    for (long s = firstSlice; s <= lastSlice; s++) {
      int slot = level.ring.slotOf(s);
      if (!level.ring.holds(slot, s)) {
        continue;
      }
      boolean inside = s * m >= first && (s + 1) * m - 1 <= last;
      if (level.index == 0) {
        int b = (int) Math.floorMod(s, (long) OPEN);
        if (openSlice[b] == s) {
          if (into != null) {
            into.addCounts(openCount[b], openErrors[b]);
            open[b].addTo(into.latency());
          }
          continue;
        }
      }
      if (reopenedLevel == level.index && reopenedSlot == slot) {
        if (!inside) {
          whole = false;
        } else if (into != null) {
          into.addCounts(reopenedCount, reopenedErrors);
          reopened.addTo(into.latency());
        }
        continue;
      }
      byte[] bytes = level.sealed[slot];
      if (bytes == null) {
        continue;
      }
      if (!inside) {
        whole = false;
        continue;
      }
      int from = latencyFrom(bytes);
      if (into != null) {
        into.addCounts(countOf(bytes), errorsOf(bytes));
        if (from < bytes.length) {
          into.latency().addEncoded(bytes, from);
        }
      } else {
        sum.count += sign * countOf(bytes);
        sum.errors += sign * errorsOf(bytes);
        if (from < bytes.length) {
          sum.latency.addEncoded(bytes, from, sign);
        }
      }
    }
    return whole;
  }

  /**
   * The sum for windows of {@code n} 1 s slices. When every slot is taken, the least recently read
   * sum makes room, so window lengths no longer read (a rule changed) do not hold slots forever.
   */
  private WindowSum sumFor(long n) {
    if (sums == null) {
      sums = new WindowSum[MAX_SUMS];
    }
    int victim = 0;
    for (int i = 0; i < MAX_SUMS; i++) {
      if (sums[i] == null) {
        victim = i;
        break;
      }
      if (sums[i].slices == n) {
        sums[i].lastRead = ++reads;
        return sums[i];
      }
      if (sums[i].lastRead < sums[victim].lastRead) {
        victim = i;
      }
    }
    sums[victim] = new WindowSum(n);
    sums[victim].lastRead = ++reads;
    return sums[victim];
  }

  /** A running sum over the sealed 1 s slices {@code [from, to]} of windows of one length. */
  private static final class WindowSum {
    final long slices;
    final LatencySlice latency = new LatencySlice();
    long from = SliceRing.NO_SLICE;
    long to = SliceRing.NO_SLICE;
    long count;
    long errors;
    long sealedChanges;
    long lastRead;

    WindowSum(long slices) {
      this.slices = slices;
    }

    boolean empty() {
      return to == SliceRing.NO_SLICE;
    }

    void clear() {
      latency.clear();
      count = 0;
      errors = 0;
      from = SliceRing.NO_SLICE;
      to = SliceRing.NO_SLICE;
    }
  }

  /**
   * The open buffer for 1 s slice {@code slice}, sealing buffers that fell out of the open span
   * first; null when {@code slice} is older than the open span (it is sealed).
   */
  private LatencySlice openFor(long slice) {
    long oldestOpen = levels[0].ring.newestSlice() - OPEN + 1;
    sealOpenBefore(oldestOpen);
    if (slice < oldestOpen) {
      return null;
    }
    int b = (int) Math.floorMod(slice, (long) OPEN);
    if (open[b] == null) {
      open[b] = new LatencySlice();
    }
    if (openSlice[b] != slice) {
      open[b].clear();
      openSlice[b] = slice;
      openCount[b] = 0;
      openErrors[b] = 0;
    }
    return open[b];
  }

  private void sealOpenBefore(long slice) {
    for (int b = 0; b < OPEN; b++) {
      if (openSlice[b] != SliceRing.NO_SLICE && openSlice[b] < slice) {
        Level fine = levels[0];
        int slot = fine.ring.slotOf(openSlice[b]);
        if (fine.ring.holds(slot, openSlice[b])) {
          fine.sealed[slot] = seal(openCount[b], openErrors[b], open[b]);
        }
        open[b].clear();
        openSlice[b] = SliceRing.NO_SLICE;
        openCount[b] = 0;
        openErrors[b] = 0;
      }
    }
  }

  /** The decoded slice of sealed {@code slot} of {@code level}, sealing the one reopened before. */
  private LatencySlice reopen(Level level, int slot) {
    if (reopenedLevel != level.index || reopenedSlot != slot) {
      sealedChanges++; // a slice leaves the sealed set and another (re)joins it
      if (reopened == null) {
        reopened = new LatencySlice();
      }
      if (reopenedLevel >= 0) {
        levels[reopenedLevel].sealed[reopenedSlot] = seal(reopenedCount, reopenedErrors, reopened);
      }
      byte[] bytes = level.sealed[slot];
      reopened.decode(bytes, bytes == null ? 0 : latencyFrom(bytes));
      reopenedCount = bytes == null ? 0 : countOf(bytes);
      reopenedErrors = bytes == null ? 0 : errorsOf(bytes);
      level.sealed[slot] = null;
      reopenedLevel = level.index;
      reopenedSlot = slot;
    }
    return reopened;
  }

  /** A sealed slice: varint count, varint errors, then the encoded distribution; null if empty. */
  static byte[] seal(long count, long errors, LatencySlice latency) {
    if (count == 0 && errors == 0 && latency.distinctBuckets() == 0) {
      return null;
    }
    byte[] out =
        latency.encodeWithRoom(
            LatencySlice.varintLength(count) + LatencySlice.varintLength(errors));
    LatencySlice.writeVarint(out, LatencySlice.writeVarint(out, 0, count), errors);
    return out;
  }

  static long countOf(byte[] sealed) {
    return readVarint(sealed, 0);
  }

  static long errorsOf(byte[] sealed) {
    return readVarint(sealed, skipVarint(sealed, 0));
  }

  static int latencyFrom(byte[] sealed) {
    return skipVarint(sealed, skipVarint(sealed, 0));
  }

  private static long readVarint(byte[] b, int at) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b[at++];
      value |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return value;
      }
    }
  }

  private static int skipVarint(byte[] b, int at) {
    while (b[at++] < 0) {
      // continuation bytes
    }
    return at;
  }

  /** Approximate heap bytes held (benchmarks report it). */
  long footprintBytes() {
    long bytes = 64 + 4L * 24;
    for (Level level : levels) {
      bytes += 48 + 8L * level.ring.slotCount();
      for (byte[] s : level.sealed) {
        if (s != null) {
          bytes += 16 + ((s.length + 7) / 8) * 8;
        }
      }
    }
    if (reopened != null) {
      bytes += reopened.footprintBytes();
    }
    if (sums != null) {
      for (WindowSum sum : sums) {
        if (sum != null) {
          bytes += 64 + sum.latency.footprintBytes();
        }
      }
    }
    for (LatencySlice slice : open) {
      if (slice != null) {
        bytes += slice.footprintBytes();
      }
    }
    return bytes;
  }
}
