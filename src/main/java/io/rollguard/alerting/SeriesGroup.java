package io.rollguard.alerting;

import io.rollguard.window.CheckWindow;
import io.rollguard.window.GaugeWindow;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestWindow;
import java.util.ArrayList;
import java.util.List;

/** The series one rule instance reads: those its selector matches with its {@code by} labels. */
public final class SeriesGroup {
  final List<RequestWindow> requests = new ArrayList<>();
  final List<GaugeWindow> gauges = new ArrayList<>();
  final List<CheckWindow> checks = new ArrayList<>();

  /**
   * Adds the group's requests of the trailing {@code windowMillis} ending at {@code nowMillis} into
   * {@code into}, read once (no running sum: for readers whose window grows with every read, such
   * as a rollout's stage).
   */
  public void addRequestsTo(RequestAccumulator into, long nowMillis, long windowMillis) {
    for (RequestWindow w : requests) {
      w.addTo(into, nowMillis, windowMillis);
    }
  }
}
