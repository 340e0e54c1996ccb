package io.rollguard.window;

import java.util.Arrays;

/**
 * The slice layout request windows kept before the ladder ({@link RequestLadder}), kept in the
 * tests as the reference the ladder is held equal to ({@code TierLayoutDifferentialTest}).
 *
 * <p>Request observations of one series at one slice resolution: per slot a request count, an error
 * count and the latency distribution.
 *
 * <p>The {@link #OPEN} newest slices are open: their distributions are mutable {@link
 * LatencySlice}s, so that samples arriving a little late or from clients a little ahead cost no
 * re-encoding. Older slices are sealed into varint byte arrays, which is what lets a five-minute
 * window fit in a few kilobytes. A sample for a sealed slice (late by more than the open span)
 * reopens that slice; it stays decoded, so a backlog arriving in many small runs for the same
 * second decodes it once, and is sealed again when another slice is reopened.
 *
 * <p>Not thread-safe: owned by a {@link RequestWindow} and used under its monitor.
 */
final class RequestTier {

  /** How many of the newest slices stay open. */
  static final int OPEN = 4;

  /** How many window lengths per tier keep a running sum (rules rarely read more). */
  static final int MAX_SUMS = 4;

  private final SliceRing ring;
  private final int[] counts;
  private final int[] errors;
  private final byte[][] sealed;
  private final LatencySlice[] open = new LatencySlice[OPEN];
  private final long[] openSlice = new long[OPEN];

  /** Requests and errors recorded into each open buffer (what it forwards when it is sealed). */
  private final int[] openCount = new int[OPEN];

  private final int[] openErrors = new int[OPEN];

  /**
   * The coarser tier this one feeds (null: none): an open slice is added to it, whole, when it is
   * sealed, so a sample costs one tier's write, not two. What arrives for a slice that is already
   * sealed the caller writes to the coarse tier itself ({@link #add} says so).
   */
  private RequestTier downstream;

  /** The last sealed slice a late sample reopened, kept decoded until another one is reopened. */
  private final LatencySlice reopened = new LatencySlice();

  private int reopenedSlot = -1;

  /** Running sums of the sealed part of the windows readers ask for; see {@link #addTo}. */
  private final WindowSum[] sums = new WindowSum[MAX_SUMS];

  /** Grows whenever a sealed slice changes (it was reopened): running sums then start over. */
  private long sealedChanges;

  /** Counts running-sum reads, to find the least recently read sum. */
  private long reads;

  private final SliceRing.SlotReset reset = this::clearSlot;

  RequestTier(long sliceMillis, int slots) {
    this.ring = new SliceRing(sliceMillis, slots);
    this.counts = new int[slots];
    this.errors = new int[slots];
    this.sealed = new byte[slots][];
    Arrays.fill(openSlice, SliceRing.NO_SLICE);
  }

  long sliceMillis() {
    return ring.sliceMillis();
  }

  /**
   * When the first slice of a window of {@code windowMillis} ending at {@code nowMillis} starts.
   */
  long windowStartMillis(long nowMillis, long windowMillis) {
    int n = Math.min(ring.slicesIn(windowMillis), ring.slotCount());
    return (ring.sliceOf(nowMillis) - n + 1) * ring.sliceMillis();
  }

  /** When the slice after the one holding {@code nowMillis} starts: a window's end. */
  long windowEndMillis(long nowMillis) {
    return (ring.sliceOf(nowMillis) + 1) * ring.sliceMillis();
  }

  /** Feeds {@code coarser} with every slice of this tier as it is sealed. */
  void feed(RequestTier coarser) {
    this.downstream = coarser;
  }

  /** {@link #add}: the observations went into an open slice (a fed tier gets them at sealing). */
  static final int ADDED_OPEN = 1;

  /** {@link #add}: into a slice already sealed (a fed tier had that slice: add them there too). */
  static final int ADDED_SEALED = 2;

  /** {@link #add}: older than this tier holds; nothing recorded. */
  static final int TOO_OLD = 0;

  /**
   * Records {@code requests} observations at {@code tsMillis}, {@code failed} of them errors, with
   * latencies given as {@code n} sorted (index, count) pairs; says where they went.
   */
  int add(long tsMillis, int requests, int failed, int[] indexes, int[] pairCounts, int n) {
    int slot = ring.slotForWrite(tsMillis, reset);
    if (slot < 0) {
      return TOO_OLD;
    }
    counts[slot] += requests;
    errors[slot] += failed;
    long slice = ring.sliceOf(tsMillis);
    LatencySlice target = openFor(slice);
    if (target != null) {
      target.addSorted(indexes, pairCounts, n);
      int b = (int) Math.floorMod(slice, (long) OPEN);
      openCount[b] += requests;
      openErrors[b] += failed;
      return ADDED_OPEN;
    }
    reopen(slot).addSorted(indexes, pairCounts, n);
    return ADDED_SEALED;
  }

  /** Adds a whole slice of a finer tier: its counts, and its distribution. */
  private void addSlice(long tsMillis, int requests, int failed, LatencySlice latency) {
    int slot = ring.slotForWrite(tsMillis, reset);
    if (slot < 0) {
      return;
    }
    counts[slot] += requests;
    errors[slot] += failed;
    long slice = ring.sliceOf(tsMillis);
    LatencySlice target = openFor(slice);
    if (target != null) {
      int b = (int) Math.floorMod(slice, (long) OPEN);
      openCount[b] += requests;
      openErrors[b] += failed;
    } else {
      target = reopen(slot);
    }
    target.addAll(latency);
  }

  /**
   * Adds the open slices not yet sealed into a fed tier that lie in {@code [fromMillis, toMillis)}:
   * what a reader of the coarse tier must add to see the last seconds.
   */
  void addOpenTo(RequestAccumulator into, long fromMillis, long toMillis) {
    long first = ring.sliceOf(fromMillis);
    long last = ring.sliceOf(toMillis - 1);
    for (int b = 0; b < OPEN; b++) {
      if (openSlice[b] != SliceRing.NO_SLICE && openSlice[b] >= first && openSlice[b] <= last) {
        into.addCounts(openCount[b], openErrors[b]);
        open[b].addTo(into.latency());
      }
    }
  }

  /**
   * Adds the trailing {@code windowMillis} ending at {@code nowMillis} into {@code into}, slice by
   * slice.
   */
  void addTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    int n = Math.min(ring.slicesIn(windowMillis), ring.slotCount());
    long last = ring.sliceOf(nowMillis);
    addDirect(into, last - n + 1, last);
  }

  /**
   * Adds the same as {@link #addTo}, for a reader that asks for this window length again and again.
   *
   * <p>Sealed slices of the window come from a running sum kept per window length: each read adds
   * the slices sealed since the last one and takes away those that left, so a read costs the
   * window's distinct buckets rather than all its slices. Open slices, and the one reopened slice,
   * are added as they are. The sum starts over from the slices when a sealed slice changed, when
   * time went backwards or jumped past the window, or when a slice it would take away is gone.
   */
  void addToRunning(RequestAccumulator into, long nowMillis, long windowMillis) {
    int n = Math.min(ring.slicesIn(windowMillis), ring.slotCount());
    long last = ring.sliceOf(nowMillis);
    long first = last - n + 1;
    long sealedTo = Math.min(last, ring.newestSlice() - OPEN);
    WindowSum sum = ring.newestSlice() == SliceRing.NO_SLICE || sealedTo < first ? null : sumFor(n);
    if (sum == null) {
      addDirect(into, first, last);
      return;
    }
    advance(sum, first, sealedTo);
    into.addCounts(sum.count, sum.errors);
    sum.latency.addTo(into.latency());
    if (reopenedSlot >= 0) {
      long reopenedSlice = ring.sliceIn(reopenedSlot);
      if (reopenedSlice >= first && reopenedSlice <= sealedTo) {
        into.addCounts(counts[reopenedSlot], errors[reopenedSlot]);
        reopened.addTo(into.latency());
      }
    }
    addDirect(into, sealedTo + 1, last);
  }

  private void addDirect(RequestAccumulator into, long first, long last) {
    for (long slice = first; slice <= last; slice++) {
      int slot = ring.slotOf(slice);
      if (!ring.holds(slot, slice)) {
        continue;
      }
      into.addCounts(counts[slot], errors[slot]);
      int b = (int) Math.floorMod(slice, (long) OPEN);
      if (openSlice[b] == slice) {
        open[b].addTo(into.latency());
      } else if (slot == reopenedSlot) {
        reopened.addTo(into.latency());
      } else if (sealed[slot] != null) {
        into.latency().addEncoded(sealed[slot], 0);
      }
    }
  }

  /**
   * The sum for windows of {@code n} slices. When every slot is taken, the least recently read sum
   * makes room, so window lengths no longer read (a rule changed) do not hold slots forever.
   */
  private WindowSum sumFor(int n) {
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

  private void advance(WindowSum sum, long first, long sealedTo) {
    boolean rebuild =
        sum.empty()
            || sum.sealedChanges != sealedChanges
            || first < sum.from
            || sealedTo < sum.to
            || first > sum.to + 1;
    if (!rebuild) {
      for (long slice = sum.from; slice < first && !rebuild; slice++) {
        rebuild = !fold(sum, slice, -1);
      }
    }
    if (rebuild) {
      sum.clear();
      for (long slice = first; slice <= sealedTo; slice++) {
        fold(sum, slice, 1);
      }
    } else {
      for (long slice = sum.to + 1; slice <= sealedTo; slice++) {
        fold(sum, slice, 1);
      }
    }
    sum.from = first;
    sum.to = sealedTo;
    sum.sealedChanges = sealedChanges;
  }

  /**
   * Adds (sign 1) or takes away (-1) a sealed slice; false when it must be taken away but the ring
   * may no longer hold it. The reopened slice is never in a sum.
   */
  private boolean fold(WindowSum sum, long slice, int sign) {
    int slot = ring.slotOf(slice);
    if (!ring.holds(slot, slice)) {
      return sign > 0 || ring.newestSlice() - slice < ring.slotCount(); // never written: nothing
    }
    if (slot == reopenedSlot) {
      return true;
    }
    sum.count += (long) sign * counts[slot];
    sum.errors += (long) sign * errors[slot];
    if (sealed[slot] != null) {
      sum.latency.addEncoded(sealed[slot], 0, sign);
    }
    return true;
  }

  /**
   * A running sum over the sealed slices {@code [from, to]} of windows of {@code slices} slices.
   */
  private static final class WindowSum {
    final int slices;
    final LatencySlice latency = new LatencySlice();
    long from = SliceRing.NO_SLICE;
    long to = SliceRing.NO_SLICE;
    long count;
    long errors;
    long sealedChanges;
    long lastRead;

    WindowSum(int slices) {
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

  long footprintBytes() {
    long bytes = 16L + 4L * ring.slotCount() * 4 + 16 * 4;
    for (byte[] s : sealed) {
      if (s != null) {
        bytes += 16 + ((s.length + 7) / 8) * 8;
      }
    }
    bytes += reopened.footprintBytes();
    for (WindowSum sum : sums) {
      if (sum != null) {
        bytes += 64 + sum.latency.footprintBytes();
      }
    }
    for (LatencySlice slice : open) {
      if (slice != null) {
        bytes += slice.footprintBytes();
      }
    }
    return bytes;
  }

  /**
   * The open buffer for {@code slice}, sealing buffers that fell out of the open span first; null
   * when {@code slice} is older than the open span (it is sealed).
   */
  private LatencySlice openFor(long slice) {
    long oldestOpen = ring.newestSlice() - OPEN + 1;
    for (int b = 0; b < OPEN; b++) {
      if (openSlice[b] != SliceRing.NO_SLICE && openSlice[b] < oldestOpen) {
        seal(b);
      }
    }
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

  /** The decoded slice of sealed slot {@code slot}, sealing the one reopened before. */
  private LatencySlice reopen(int slot) {
    if (reopenedSlot != slot) {
      sealedChanges++; // a slice leaves the sealed set and another (re)joins it
      if (reopenedSlot >= 0) {
        sealed[reopenedSlot] = reopened.encode();
      }
      reopened.decode(sealed[slot], 0);
      sealed[slot] = null;
      reopenedSlot = slot;
    }
    return reopened;
  }

  private void seal(int b) {
    int slot = ring.slotOf(openSlice[b]);
    if (ring.holds(slot, openSlice[b])) {
      sealed[slot] = open[b].encode();
    }
    if (downstream != null && openCount[b] > 0) {
      downstream.addSlice(openSlice[b] * ring.sliceMillis(), openCount[b], openErrors[b], open[b]);
    }
    open[b].clear();
    openSlice[b] = SliceRing.NO_SLICE;
    openCount[b] = 0;
    openErrors[b] = 0;
  }

  private void clearSlot(int slot) {
    // The slice leaving this slot is gone for good: a sum that took it in must start over. (Sums
    // cover recent windows, so in steady state the slice leaving is far older than any of them.)
    long leaving = ring.sliceIn(slot);
    if (ring.holds(slot, leaving)) {
      for (WindowSum sum : sums) {
        if (sum != null && !sum.empty() && leaving >= sum.from && leaving <= sum.to) {
          sum.clear();
        }
      }
    }
    if (slot == reopenedSlot) {
      reopened.clear();
      reopenedSlot = -1;
    }
    counts[slot] = 0;
    errors[slot] = 0;
    sealed[slot] = null;
  }
}
