package io.rollguard.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.clock.ManualClock;
import io.rollguard.window.Labels;
import io.rollguard.window.RequestAccumulator;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A buffered ingestor: accepted at once, in the windows once flushed, nothing lost meanwhile. */
class WriteBufferTest {

  private static final long NOW = 1_763_900_000_000L;

  private final ManualClock clock = new ManualClock(NOW);
  private final SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 100, 100);
  private final Ingestor ingestor =
      Ingestor.buffered(
          registry, new IngestLimits(1 << 20, 16, 128, 10_000, 3_600_000, 1 << 20), clock);

  private IngestOutcome ingest(String body) throws Exception {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return ingestor.ingestJson(b, b.length, s -> true);
  }

  private long count(String... labels) {
    RequestAccumulator acc = new RequestAccumulator();
    registry.requests(Labels.of(labels)).addTo(acc, clock.wallTimeMillis(), 60_000);
    return acc.count();
  }

  @Test
  void samplesAreAcceptedAtOnceAndInTheirWindowsOnceFlushed() throws Exception {
    String body =
        "{\"service\":\"a\",\"requests\":[{\"latency_ms\":1,\"labels\":{\"pod\":\"1\"}},"
            + "{\"latency_ms\":2,\"labels\":{\"pod\":\"2\"}}]}";
    assertThat(ingest(body).accepted()).isEqualTo(2);
    assertThat(ingest(body).accepted()).isEqualTo(2);
    // the series exist (caps are checked at once) but hold nothing yet
    assertThat(registry.size()).isEqualTo(2);
    assertThat(count("service", "a", "pod", "1")).isZero();
    ingestor.flush();
    assertThat(count("service", "a", "pod", "1")).isEqualTo(2);
    assertThat(count("service", "a", "pod", "2")).isEqualTo(2);
    ingestor.flush(); // nothing twice
    assertThat(count("service", "a", "pod", "2")).isEqualTo(2);
  }

  @Test
  void aNewSeriesPastTheCapIsRefusedAtOnceNotAtTheFlush() throws Exception {
    SeriesRegistry capped = new SeriesRegistry(WindowSettings.defaults(), 1, 1);
    Ingestor small =
        Ingestor.buffered(
            capped, new IngestLimits(1 << 20, 16, 128, 10_000, 3_600_000, 1 << 20), clock);
    byte[] b =
        ("{\"service\":\"a\",\"requests\":[{\"latency_ms\":1,\"labels\":{\"pod\":\"1\"}},"
                + "{\"latency_ms\":2,\"labels\":{\"pod\":\"2\"}}]}")
            .getBytes(StandardCharsets.UTF_8);
    IngestOutcome out = small.ingestJson(b, b.length, s -> true);
    assertThat(out.accepted()).isEqualTo(1);
    assertThat(out.rejected(RejectReason.CARDINALITY)).isEqualTo(1);
    small.flush();
    assertThat(small.lostAtFlush()).isZero();
  }

  @Test
  void aWindowEvictedWhileItsSamplesWaitIsMadeAgainAndKeepsThem() throws Exception {
    ingest("{\"service\":\"a\",\"latency_ms\":1}");
    ingestor.flush();
    // idle past the longest window: evicted; then a sample arrives for it and waits
    clock.advance(java.time.Duration.ofHours(2));
    ingest("{\"service\":\"a\",\"latency_ms\":1}");
    assertThat(registry.evictIdle(clock.wallTimeMillis())).isEqualTo(1);
    ingestor.flush();
    assertThat(count("service", "a")).isEqualTo(1);
    assertThat(ingestor.lostAtFlush()).isZero();
  }
}
