package io.rollguard.alerting;

import io.rollguard.window.CheckWindow;
import io.rollguard.window.GaugeWindow;
import io.rollguard.window.RequestWindow;
import java.util.ArrayList;
import java.util.List;

/** The series one rule instance reads: those its selector matches with its {@code by} labels. */
public final class SeriesGroup {
  final List<RequestWindow> requests = new ArrayList<>();
  final List<GaugeWindow> gauges = new ArrayList<>();
  final List<CheckWindow> checks = new ArrayList<>();
}
