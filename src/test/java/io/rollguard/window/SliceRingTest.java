package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SliceRingTest {

  @Test
  void aSlotIsResetOnlyWhenANewerSliceClaimsIt() {
    SliceRing ring = new SliceRing(1_000, 4);
    List<Integer> resets = new ArrayList<>();
    int first = ring.slotForWrite(10_500, resets::add);
    assertThat(ring.slotForWrite(10_999, resets::add)).isEqualTo(first);
    assertThat(resets).containsExactly(first);
    // Four slices later the same slot is claimed by slice 14 and reset again.
    assertThat(ring.slotForWrite(14_000, resets::add)).isEqualTo(first);
    assertThat(resets).containsExactly(first, first);
  }

  @Test
  void writesOlderThanTheRingGetNoSlot() {
    SliceRing ring = new SliceRing(1_000, 4);
    ring.slotForWrite(20_000, slot -> {});
    assertThat(ring.slotForWrite(17_000, slot -> {})).isGreaterThanOrEqualTo(0);
    assertThat(ring.slotForWrite(16_999, slot -> {})).isEqualTo(-1);
  }

  @Test
  void readersVisitOnlySlicesOfTheirWindow() {
    SliceRing ring = new SliceRing(1_000, 10);
    for (long t = 0; t < 10_000; t += 1_000) {
      ring.slotForWrite(t, slot -> {});
    }
    List<Integer> visited = new ArrayList<>();
    ring.forEachSlot(9_500, 3, (slot, slice) -> visited.add(slot));
    assertThat(visited).containsExactly(7, 8, 9);
    visited.clear();
    ring.forEachSlot(
        12_000, 3, (slot, slice) -> visited.add(slot)); // slices 10..12 were never written
    assertThat(visited).isEmpty();
  }
}
