package io.rollguard.benchmarks;

import java.lang.management.ManagementFactory;

/** Heap measurements for the memory benchmarks. Stateless. */
final class Heap {

  private Heap() {}

  /**
   * Used heap after garbage collection: the least of five tries, each after {@code System.gc()}.
   */
  static long usedAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
