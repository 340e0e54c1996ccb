package io.rollguard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.window.Labels;
import io.rollguard.window.Latency;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.RequestSamples;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.time.Duration;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** What an ingest node produces is what the owner's windows hold after applying it. */
class RecordApplierTest {

  private static final long NOW = 1_764_600_010_000L;
  private static final Labels CANARY = Labels.of("service", "checkout", "stage", "canary");

  private static SeriesRegistry registry() {
    return new SeriesRegistry(
        WindowSettings.of(Duration.ofHours(1), Duration.ofSeconds(5)), 1_000, 1_000);
  }

  @Test
  void aBucketValueLandsInItsOwnBucket() {
    for (int i = 0; i < Latency.bucketCount(); i++) {
      assertThat(Latency.bucketOf(Latency.bucketValue(i))).as("bucket %d", i).isEqualTo(i);
    }
  }

  @Test
  void requestsHistogramsGaugesAndChecksArriveWithTheirCountsErrorsAndKeys() {
    BodyRecords body = new BodyRecords("service");
    RequestSamples samples = new RequestSamples();
    Random random = new Random(3);
    int errors = 0;
    for (int i = 0; i < 500; i++) {
      boolean failed = random.nextInt(10) == 0;
      errors += failed ? 1 : 0;
      samples.add(NOW - 5_000 + i * 7L, 1_000 + random.nextInt(400_000), failed);
    }
    body.requests(CANARY, samples, 0, samples.size());
    Histogram h = Latency.newHistogram();
    h.recordValueWithCount(20_000, 30);
    body.histogram(CANARY, NOW - 1_000, h, 3);
    body.gauge("pass_rate", Labels.of("service", "tests"), NOW - 500, 0.97);
    body.check("health", Labels.of("service", "tests"), NOW - 500, false);

    SeriesRegistry owner = registry();
    RecordApplier applier = new RecordApplier(owner);
    int records = 0;
    for (BodyRecords.Keyed r : body.records()) {
      assertThat(r.key()).isIn("checkout", "tests");
      assertThat(applier.apply(PointRecords.decode(r.value()), NOW)).isTrue();
      records++;
    }
    assertThat(records).isLessThan(10); // one per series-second, not one per sample

    RequestWindow w = owner.requests(CANARY);
    RequestAccumulator acc = new RequestAccumulator();
    w.addTo(acc, NOW, 60_000);
    assertThat(acc.count()).isEqualTo(530);
    assertThat(acc.errors()).isEqualTo(errors + 3);
    assertThat(owner.gaugeWindows()).hasSize(1);
    assertThat(owner.checkWindows()).hasSize(1);
  }

  @Test
  void everyKindRoundTripsAndGarbageIsRefusedWithAReason() {
    var gauge = new PointRecords.GaugePoint("g", java.util.Map.of("service", "s"), 12, -1.5);
    assertThat(PointRecords.decode(PointRecords.encode(gauge))).isEqualTo(gauge);
    var check = new PointRecords.CheckPoint("c", java.util.Map.of("service", "s"), 12, true);
    assertThat(PointRecords.decode(PointRecords.encode(check))).isEqualTo(check);
    var interval =
        new PointRecords.Interval(java.util.Map.of("service", "s"), 99, 1, new int[] {4, 2});
    assertThat(PointRecords.decode(PointRecords.encode(interval))).isEqualTo(interval);
    assertThatThrownBy(() -> PointRecords.decode(new byte[0])).hasMessageContaining("empty");
    assertThatThrownBy(() -> PointRecords.decode(new byte[] {9})).hasMessageContaining("kind 9");
    byte[] good = PointRecords.encode(check);
    byte[] cut = java.util.Arrays.copyOf(good, good.length - 1);
    assertThatThrownBy(() -> PointRecords.decode(cut)).isInstanceOf(IllegalArgumentException.class);
  }
}
