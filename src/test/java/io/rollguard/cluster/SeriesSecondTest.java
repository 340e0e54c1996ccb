package io.rollguard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.window.Latency;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The series-second records of cluster mode: what goes in comes out, and bad bytes are refused. */
class SeriesSecondTest {

  private static final Map<String, String> CANARY =
      Map.of("service", "checkout", "stage", "canary", "pod", "checkout-7f9c-2");

  @Test
  void aBodyFoldsIntoOneRecordPerSeriesAndSecondThatRoundTrips() {
    SecondAggregator agg = new SecondAggregator();
    agg.add(CANARY, 1_764_600_000_100L, 12_000, true);
    agg.add(CANARY, 1_764_600_000_900L, 12_050, false); // same second, same bucket range
    agg.add(CANARY, 1_764_600_001_000L, 250_000, true); // next second
    agg.add(Map.of("service", "checkout", "stage", "stable"), 1_764_600_000_500L, 9_000, true);
    List<SeriesSecond> records = agg.records();
    assertThat(records).hasSize(3);
    SeriesSecond first = records.get(0);
    assertThat(first.second()).isEqualTo(1_764_600_000L);
    assertThat(first.requests()).isEqualTo(2);
    assertThat(first.errors()).isEqualTo(1);
    int[] b = first.buckets();
    assertThat(Latency.bucketValue(b[0])).isLessThanOrEqualTo(12_000);
    assertThat(b[1] + (b.length > 2 ? b[3] : 0)).isEqualTo(2); // both requests, in their buckets
    for (SeriesSecond r : records) {
      assertThat(SeriesSecond.decode(r.encode())).isEqualTo(r);
    }
  }

  @Test
  void randomRecordsRoundTrip() {
    Random random = new Random(42);
    for (int n = 0; n < 500; n++) {
      SecondAggregator agg = new SecondAggregator();
      int samples = 1 + random.nextInt(2_000);
      for (int i = 0; i < samples; i++) {
        long micros = (long) Math.exp(random.nextGaussian() * 1.5 + 10); // ~22 ms, long tail
        agg.add(CANARY, 1_764_600_000_000L + random.nextInt(1_000), micros, random.nextInt(50) > 0);
      }
      SeriesSecond r = agg.records().get(0);
      assertThat(SeriesSecond.decode(r.encode())).isEqualTo(r);
    }
  }

  /** What a record costs per sample on the topic (docs/cluster.md quotes these). */
  @Test
  void aBusySeriesSecondCostsAboutAByteOrTwoPerSampleAndAQuietOneItsLabels() {
    Random random = new Random(7);
    SecondAggregator busy = new SecondAggregator();
    for (int i = 0; i < 1_000; i++) {
      busy.add(CANARY, 1_764_600_000_000L + i, (long) Math.exp(random.nextGaussian() + 10), true);
    }
    byte[] busyBytes = busy.records().get(0).encode();
    double perSample = busyBytes.length / 1_000.0;
    assertThat(perSample).isLessThan(2.0);

    SecondAggregator quiet = new SecondAggregator();
    for (int i = 0; i < 10; i++) {
      quiet.add(CANARY, 1_764_600_000_000L + i * 100, 20_000 + i * 500, true);
    }
    byte[] quietBytes = quiet.records().get(0).encode();
    assertThat(quietBytes.length).isLessThan(100); // labels (~50 bytes) + 10 buckets
  }

  @Test
  void everyTruncationAndCorruptionIsRefusedWithAReason() {
    SecondAggregator agg = new SecondAggregator();
    for (int i = 0; i < 100; i++) {
      agg.add(CANARY, 1_764_600_000_000L + i, 1_000 + i * 997L, i % 10 != 0);
    }
    byte[] good = agg.records().get(0).encode();
    for (int cut = 0; cut < good.length; cut++) {
      byte[] truncated = Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> SeriesSecond.decode(truncated))
          .isInstanceOf(IllegalArgumentException.class);
    }
    Random random = new Random(1);
    for (int n = 0; n < 20_000; n++) {
      byte[] bad = good.clone();
      bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      try {
        SeriesSecond r = SeriesSecond.decode(bad);
        assertThat(r.requests()).isGreaterThanOrEqualTo(r.errors()); // still a sound record
      } catch (IllegalArgumentException refused) {
        assertThat(refused.getMessage()).isNotBlank();
      }
    }
    byte[] huge = {2, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F, 0, 0};
    assertThatThrownBy(() -> SeriesSecond.decode(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buckets cannot be in 9 bytes");
    assertThatThrownBy(() -> SeriesSecond.decode(new byte[] {1}))
        .hasMessageContaining("record version 1 (this version reads 2)");
  }

  @Test
  void bucketsOutOfOrderEmptyOrMissingAreRefused() {
    assertThatThrownBy(() -> new SeriesSecond(CANARY, 1, new int[] {5, 1, 5, 1}, new int[0]))
        .hasMessageContaining("out of order");
    assertThatThrownBy(() -> new SeriesSecond(CANARY, 1, new int[] {5, 0}, new int[0]))
        .hasMessageContaining("out of order or empty");
    assertThatThrownBy(() -> new SeriesSecond(CANARY, 1, new int[0], new int[] {5}))
        .hasMessageContaining("pairs");
    assertThatThrownBy(() -> new SeriesSecond(CANARY, 1, new int[0], new int[0]))
        .hasMessageContaining("without requests");
  }

  @Test
  void failedAndSuccessfulLatenciesStayApart() {
    SecondAggregator agg = new SecondAggregator();
    agg.add(CANARY, 1_764_600_000_100L, 1_000, true);
    agg.add(CANARY, 1_764_600_000_200L, 900_000, false);
    SeriesSecond r = SeriesSecond.decode(agg.records().get(0).encode());
    assertThat(r.requests()).isEqualTo(2);
    assertThat(r.errors()).isEqualTo(1);
    assertThat(Latency.bucketValue(r.okBuckets()[0])).isLessThanOrEqualTo(1_000);
    assertThat(Latency.bucketValue(r.errorBuckets()[0])).isGreaterThan(800_000);
  }
}
