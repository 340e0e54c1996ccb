package io.rollguard.window;

import java.util.Arrays;

/**
 * Request observations of one series at one slice resolution: per slot a request count, an error
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

  private final SliceRing ring;
  private final int[] counts;
  private final int[] errors;
  private final byte[][] sealed;
  private final LatencySlice[] open = new LatencySlice[OPEN];
  private final long[] openSlice = new long[OPEN];

  /** The last sealed slice a late sample reopened, kept decoded until another one is reopened. */
  private final LatencySlice reopened = new LatencySlice();

  private int reopenedSlot = -1;
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
   * Records {@code requests} observations at {@code tsMillis}, {@code failed} of them errors, with
   * latencies given as {@code n} sorted (index, count) pairs. False when older than this tier
   * holds.
   */
  boolean add(long tsMillis, int requests, int failed, int[] indexes, int[] pairCounts, int n) {
    int slot = ring.slotForWrite(tsMillis, reset);
    if (slot < 0) {
      return false;
    }
    counts[slot] += requests;
    errors[slot] += failed;
    long slice = ring.sliceOf(tsMillis);
    LatencySlice target = openFor(slice);
    (target != null ? target : reopen(slot)).addSorted(indexes, pairCounts, n);
    return true;
  }

  /** Adds the trailing {@code windowMillis} ending at {@code nowMillis} into {@code into}. */
  void addTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    ring.forEachSlot(
        nowMillis,
        ring.slicesIn(windowMillis),
        (slot, slice) -> {
          into.addCounts(counts[slot], errors[slot]);
          int b = (int) Math.floorMod(slice, (long) OPEN);
          if (openSlice[b] == slice) {
            open[b].addTo(into.latency());
          } else if (slot == reopenedSlot) {
            reopened.addTo(into.latency());
          } else if (sealed[slot] != null) {
            LatencySlice.addEncodedTo(sealed[slot], into.latency());
          }
        });
  }

  long footprintBytes() {
    long bytes = 16L + 4L * ring.slotCount() * 4 + 16 * 4;
    for (byte[] s : sealed) {
      if (s != null) {
        bytes += 16 + ((s.length + 7) / 8) * 8;
      }
    }
    bytes += reopened.footprintBytes();
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
    }
    return open[b];
  }

  /** The decoded slice of sealed slot {@code slot}, sealing the one reopened before. */
  private LatencySlice reopen(int slot) {
    if (reopenedSlot != slot) {
      if (reopenedSlot >= 0) {
        sealed[reopenedSlot] = reopened.encode();
      }
      reopened.decode(sealed[slot]);
      sealed[slot] = null;
      reopenedSlot = slot;
    }
    return reopened;
  }

  private void seal(int b) {
    sealed[ring.slotOf(openSlice[b])] = open[b].encode();
    open[b].clear();
    openSlice[b] = SliceRing.NO_SLICE;
  }

  private void clearSlot(int slot) {
    if (slot == reopenedSlot) {
      reopened.clear();
      reopenedSlot = -1;
    }
    counts[slot] = 0;
    errors[slot] = 0;
    sealed[slot] = null;
  }
}
