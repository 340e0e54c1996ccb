package io.rollguard.window;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link SloCounts} that request windows feed as samples arrive. The SLO evaluation replaces
 * the whole set when SLOs load; each window works out which counts match its labels once per set.
 *
 * <p><b>Concurrency.</b> Thread-safe: the set is an immutable snapshot behind a volatile field;
 * {@link #set} is called by one thread at a time (the rules thread).
 */
public final class SloTaps {

  /** One published set of counts, numbered so windows notice a new one. */
  record Published(long version, List<SloCounts> counts) {}

  private volatile Published current = new Published(0, List.of());

  /** Makes {@code counts} the set fed from now on. */
  public void set(List<SloCounts> counts) {
    current = new Published(current.version() + 1, List.copyOf(counts));
  }

  Published current() {
    return current;
  }

  /** The counts of {@code published} that count requests of {@code labels}. */
  static SloCounts[] matching(Published published, Labels labels) {
    List<SloCounts> out = new ArrayList<>();
    for (SloCounts c : published.counts()) {
      if (c.matches(labels)) {
        out.add(c);
      }
    }
    return out.toArray(new SloCounts[0]);
  }
}
