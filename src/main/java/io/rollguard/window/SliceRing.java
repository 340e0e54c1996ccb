package io.rollguard.window;

/**
 * Maps event time onto a fixed ring of time slices; the one place window rotation is written.
 *
 * <p>Slice {@code n} covers {@code [n * sliceMillis, (n + 1) * sliceMillis)} and lives in slot
 * {@code n mod slotCount}. A slot is reset lazily, when a newer slice first writes to it, so an
 * idle ring costs nothing per tick. A sample whose slice has already been overwritten (older than
 * the ring holds) gets no slot. Readers visit only the slots still holding a slice of their window.
 * Slots remember their slice as an int relative to the first write, 4 bytes a slot.
 *
 * <p>Not thread-safe: owned by one window and used under that window's monitor.
 */
final class SliceRing {

  /** What a payload does when its slot is reused for a newer slice. */
  @FunctionalInterface
  interface SlotReset {
    void reset(int slot);
  }

  /** What a reader does with each slot of its window, and the slice it holds. */
  @FunctionalInterface
  interface SlotVisitor {
    void visit(int slot, long slice);
  }

  static final long NO_SLICE = Long.MIN_VALUE;

  private final long sliceMillis;

  /** Per slot: its slice minus {@link #base}, or 0 when the slot was never written. */
  private final int[] sliceInSlot;

  private long base = NO_SLICE;
  private long newestSlice = NO_SLICE;

  SliceRing(long sliceMillis, int slotCount) {
    if (sliceMillis <= 0 || slotCount <= 0) {
      throw new IllegalArgumentException("slice and slot count must be positive");
    }
    this.sliceMillis = sliceMillis;
    this.sliceInSlot = new int[slotCount];
  }

  long sliceMillis() {
    return sliceMillis;
  }

  int slotCount() {
    return sliceInSlot.length;
  }

  /** The newest slice written, or {@link #NO_SLICE}. */
  long newestSlice() {
    return newestSlice;
  }

  /** The slice holding {@code tsMillis}. */
  long sliceOf(long tsMillis) {
    return Math.floorDiv(tsMillis, sliceMillis);
  }

  int slotOf(long slice) {
    return (int) Math.floorMod(slice, (long) sliceInSlot.length);
  }

  /**
   * The slot to write a sample stamped {@code tsMillis} into, resetting it first if it held an
   * older slice; -1 when the sample is older than the ring holds.
   */
  int slotForWrite(long tsMillis, SlotReset reset) {
    long slice = sliceOf(tsMillis);
    if (newestSlice == NO_SLICE) {
      // Every slice a ring accepts from now on is above this base, so 0 can mean "never written".
      base = slice - sliceInSlot.length;
      newestSlice = slice;
    } else if (slice <= newestSlice - sliceInSlot.length) {
      return -1;
    }
    int slot = slotOf(slice);
    int relative = (int) (slice - base);
    if (sliceInSlot[slot] != relative) {
      reset.reset(slot);
      sliceInSlot[slot] = relative;
    }
    if (slice > newestSlice) {
      newestSlice = slice;
    }
    return slot;
  }

  /**
   * Visits the slots of the {@code sliceCount} slices that end with the one holding {@code
   * nowMillis} (the current, partial slice included). Slices never written, or already reused, are
   * skipped.
   */
  void forEachSlot(long nowMillis, int sliceCount, SlotVisitor visitor) {
    if (base == NO_SLICE) {
      return;
    }
    long last = sliceOf(nowMillis);
    int count = Math.min(sliceCount, sliceInSlot.length);
    for (long slice = last - count + 1; slice <= last; slice++) {
      int slot = slotOf(slice);
      if (slice > base && sliceInSlot[slot] == slice - base) {
        visitor.visit(slot, slice);
      }
    }
  }

  /** Whether {@code slot} holds {@code slice} (it was written and not reused since). */
  boolean holds(int slot, long slice) {
    return base != NO_SLICE && slice > base && sliceInSlot[slot] == slice - base;
  }

  /** The slice {@code slot} holds (meaningful only for a slot that was written). */
  long sliceIn(int slot) {
    return base + sliceInSlot[slot];
  }

  /** How many slices a window of {@code windowMillis} spans (rounded up). */
  int slicesIn(long windowMillis) {
    return (int) Math.min(Integer.MAX_VALUE, (windowMillis + sliceMillis - 1) / sliceMillis);
  }
}
