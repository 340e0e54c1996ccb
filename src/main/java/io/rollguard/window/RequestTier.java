package io.rollguard.window;

/**
 * Request observations of one series at one slice resolution: per slot a request count, an error
 * count and a {@link LatencySlice}. Not thread-safe: owned by a {@link RequestWindow} and used
 * under its monitor.
 */
final class RequestTier {

  private final SliceRing ring;
  private final int[] counts;
  private final int[] errors;
  private final LatencySlice[] latency;
  private final SliceRing.SlotReset reset = this::clearSlot;

  RequestTier(long sliceMillis, int slots) {
    this.ring = new SliceRing(sliceMillis, slots);
    this.counts = new int[slots];
    this.errors = new int[slots];
    this.latency = new LatencySlice[slots];
  }

  /** The slot for a sample at {@code tsMillis}, or -1 when it is older than this tier holds. */
  int slotFor(long tsMillis) {
    return ring.slotForWrite(tsMillis, reset);
  }

  void addCounts(int slot, int requests, int failed) {
    counts[slot] += requests;
    errors[slot] += failed;
  }

  LatencySlice latency(int slot) {
    LatencySlice slice = latency[slot];
    if (slice == null) {
      slice = new LatencySlice();
      latency[slot] = slice;
    }
    return slice;
  }

  long sliceMillis() {
    return ring.sliceMillis();
  }

  /** Adds the trailing {@code windowMillis} ending at {@code nowMillis} into {@code into}. */
  void addTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    ring.forEachSlot(
        nowMillis,
        ring.slicesIn(windowMillis),
        slot -> {
          into.addCounts(counts[slot], errors[slot]);
          if (latency[slot] != null) {
            latency[slot].addTo(into.histogram());
          }
        });
  }

  long footprintBytes() {
    long bytes = 16L + 8L * ring.slotCount() + 4L * counts.length * 3;
    for (LatencySlice slice : latency) {
      if (slice != null) {
        bytes += slice.footprintBytes();
      }
    }
    return bytes;
  }

  private void clearSlot(int slot) {
    counts[slot] = 0;
    errors[slot] = 0;
    if (latency[slot] != null) {
      latency[slot].clear();
    }
  }
}
