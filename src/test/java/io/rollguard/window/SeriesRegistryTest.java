package io.rollguard.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeriesRegistryTest {

  private static final long T0 = 1_763_900_000_000L;

  @Test
  void capsRefuseOnlyNewSeries() {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 3, 2);
    Labels a1 = Labels.of("service", "a", "pod", "1");
    assertThat(registry.requests(a1)).isNotNull();
    assertThat(registry.gauge("g", Labels.of("service", "a"))).isNotNull();
    // Service a is at its cap of 2: a new series is refused, existing ones still resolve.
    assertThat(registry.requests(Labels.of("service", "a", "pod", "2"))).isNull();
    assertThat(registry.requests(a1)).isNotNull();
    // Another service still has room until the total cap of 3.
    assertThat(registry.check("db", Labels.of("service", "b"))).isNotNull();
    assertThat(registry.requests(Labels.of("service", "c"))).isNull();
    assertThat(registry.size()).isEqualTo(3);
  }

  @Test
  void idleSeriesAreEvictedAndTheirRoomIsGivenBack() {
    WindowSettings settings = WindowSettings.defaults();
    SeriesRegistry registry = new SeriesRegistry(settings, 1, 1);
    RequestSamples samples = new RequestSamples();
    samples.add(T0, 1_000, false);
    RequestWindow old = registry.requests(Labels.of("service", "a"));
    assertThat(old.record(samples, 0, 1, T0, new LatencyScratch())).isTrue();

    long retention = settings.maxWindowMillis() + settings.maxFutureSkewMillis();
    assertThat(registry.evictIdle(T0 + retention)).isEqualTo(1);
    assertThat(registry.size()).isZero();
    // A writer still holding the evicted window is told to look the series up again.
    assertThat(old.record(samples, 0, 1, T0 + retention, new LatencyScratch())).isFalse();
    assertThat(registry.requests(Labels.of("service", "b"))).isNotNull();
  }

  @Test
  void aSeriesWithRecentDataIsNotEvicted() {
    SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 10, 10);
    registry.gauge("g", Labels.of("service", "a")).record(T0, 1.0, T0);
    assertThat(registry.evictIdle(T0 + 1_000)).isZero();
    assertThat(registry.size()).isEqualTo(1);
  }
}
