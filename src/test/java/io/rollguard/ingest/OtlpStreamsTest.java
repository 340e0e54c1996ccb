package io.rollguard.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Cumulative OTLP points become deltas: nothing counted twice, nothing lost at a restart. */
class OtlpStreamsTest {

  private static final long STARTED_MS = 1_000_000;
  private static final long NS = 1_000_000L;
  private static final Object LAYOUT = "bounds[10,100]";

  private final OtlpStreams streams = new OtlpStreams(100, 3_600_000, STARTED_MS);

  @Test
  void cumulativePointsCountOnlyWhatTheyAdd() {
    OtlpStreams.Stream s = streams.stream("a", STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    long[] d = new long[3];
    assertThat(streams.explicit(s, start, start + 1_000 * NS, LAYOUT, new long[] {1, 2, 0}, d, 0))
        .isEqualTo(OtlpStreams.Kind.WHOLE); // started after the server: its first point counts
    assertThat(d).containsExactly(1, 2, 0);
    assertThat(streams.explicit(s, start, start + 2_000 * NS, LAYOUT, new long[] {4, 2, 1}, d, 0))
        .isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(d).containsExactly(3, 0, 1);
    // the same export again (a retry), and an older one: nothing
    assertThat(streams.explicit(s, start, start + 2_000 * NS, LAYOUT, new long[] {4, 2, 1}, d, 0))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    assertThat(streams.explicit(s, start, start + 1_500 * NS, LAYOUT, new long[] {3, 2, 1}, d, 0))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    // the client restarts: a new start time, counting from zero again, counts whole
    long restart = start + 5_000 * NS;
    assertThat(
            streams.explicit(s, restart, restart + 1_000 * NS, LAYOUT, new long[] {0, 1, 0}, d, 0))
        .isEqualTo(OtlpStreams.Kind.WHOLE);
    assertThat(d).containsExactly(0, 1, 0);
    // a late export from before the restart adds nothing
    assertThat(streams.explicit(s, start, start + 3_000 * NS, LAYOUT, new long[] {9, 9, 9}, d, 0))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    // counts that went down without a new start time: a reset too
    assertThat(
            streams.explicit(s, restart, restart + 2_000 * NS, LAYOUT, new long[] {0, 0, 1}, d, 0))
        .isEqualTo(OtlpStreams.Kind.WHOLE);
    assertThat(d).containsExactly(0, 0, 1);
  }

  @Test
  void aStreamThatStartedBeforeTheServerIsOnlyRemembered() {
    OtlpStreams.Stream s = streams.stream("old", STARTED_MS);
    long start = (STARTED_MS - 60_000) * NS;
    long[] d = new long[3];
    assertThat(
            streams.explicit(s, start, (STARTED_MS + 5) * NS, LAYOUT, new long[] {50, 50, 5}, d, 0))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    assertThat(
            streams.explicit(
                s, start, (STARTED_MS + 1_005) * NS, LAYOUT, new long[] {51, 52, 5}, d, 0))
        .isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(d).containsExactly(1, 2, 0);
  }

  @Test
  void aChangedBucketLayoutIsAReset() {
    OtlpStreams.Stream s = streams.stream("a", STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    long[] d = new long[3];
    streams.explicit(s, start, start + NS, LAYOUT, new long[] {1, 1, 1}, d, 0);
    assertThat(streams.explicit(s, start, start + 2 * NS, "other", new long[] {1, 2, 1}, d, 0))
        .isEqualTo(OtlpStreams.Kind.WHOLE);
    assertThat(d).containsExactly(1, 2, 1);
  }

  @Test
  void exponentialPointsAreMergedDownWhenTheScaleDrops() {
    OtlpStreams.Stream s = streams.stream("e", STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    // scale 3, buckets -2..1 hold 1,1,1,1; zero bucket 2
    OtlpStreams.ExponentialDelta d =
        streams.exponential(s, start, start + NS, 3, -2, new long[] {1, 1, 1, 1}, 2, 0, 0);
    assertThat(d.kind).isEqualTo(OtlpStreams.Kind.WHOLE);
    assertThat(d.counts).containsExactly(1, 1, 1, 1);
    assertThat(d.zero).isEqualTo(2);
    // the SDK lowered the scale to 2: old buckets -2..1 are -1..0 now (2 each); one more in 0
    d = streams.exponential(s, start, start + 2 * NS, 2, -1, new long[] {2, 3}, 3, 0, 0);
    assertThat(d.kind).isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(d.scale).isEqualTo(2);
    assertThat(d.counts).containsExactly(0, 1);
    assertThat(d.zero).isEqualTo(1);
  }

  @Test
  void aLateExportOfAFinerScaleAddsNothing() {
    OtlpStreams.Stream s = streams.stream("e", STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    streams.exponential(s, start, start + NS, 3, 8, new long[] {1, 1}, 0, 0, 0);
    streams.exponential(s, start, start + 3 * NS, 2, 4, new long[] {4}, 0, 0, 0);
    // the export of time 2, still at scale 3, arrives after the one of time 3 (a Collector's
    // queue delivers out of order): counted already
    OtlpStreams.ExponentialDelta late =
        streams.exponential(s, start, start + 2 * NS, 3, 8, new long[] {2, 1}, 0, 0, 0);
    assertThat(late.kind).isEqualTo(OtlpStreams.Kind.NOTHING);
    // a newer point of a finer scale than the stream's is merged down to the stream's scale
    OtlpStreams.ExponentialDelta finer =
        streams.exponential(s, start, start + 4 * NS, 3, 8, new long[] {3, 2}, 0, 0, 0);
    assertThat(finer.kind).isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(finer.scale).isEqualTo(2);
    assertThat(finer.counts).containsExactly(1);
  }

  @Test
  void totalsPastTwoToTheThirtyOneStillGiveDeltas() {
    OtlpStreams.Stream s = streams.stream("big", STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    long[] d = new long[3];
    long big = 5_000_000_000L;
    streams.explicit(s, start, start + NS, LAYOUT, new long[] {big, big, 0}, d, 0);
    assertThat(
            streams.explicit(s, start, start + 2 * NS, LAYOUT, new long[] {big + 7, big, 1}, d, 0))
        .isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(d).containsExactly(7, 0, 1);
  }

  @Test
  void aNewStreamOfAResourceAlreadyHeardFromCountsWhole() {
    long sdkStart = (STARTED_MS - 60_000) * NS; // the SDK started before the server
    assertThat(streams.countsWhole(sdkStart, 0)).isFalse();
    streams.rememberResource("service.name=checkout", sdkStart, STARTED_MS + 1_000);
    long known = streams.knownStart("service.name=checkout");
    // the canary's first 5xx stream appears in a later export, with the SDK's start: whole
    assertThat(streams.countsWhole(sdkStart, known)).isTrue();
    assertThat(streams.countsWhole(sdkStart, streams.knownStart("service.name=other"))).isFalse();
  }

  @Test
  void forgottenStreamsDoNotCountWholeWhenTheyComeBackAndTheCapHolds() {
    OtlpStreams small = new OtlpStreams(1, 60_000, STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    OtlpStreams.Stream a = small.stream("a", STARTED_MS + 20);
    small.explicit(a, start, start + NS, LAYOUT, new long[] {1, 0, 0}, new long[3], 0);
    assertThat(small.stream("b", STARTED_MS + 30)).isNull(); // cap of one stream
    // two minutes later "a" is idle: forgotten for "b"; "a"'s old start no longer counts whole
    assertThat(small.stream("b", STARTED_MS + 120_000)).isNotNull();
    assertThat(small.size()).isEqualTo(1);
    assertThat(small.countsWhole(start)).isFalse();
    assertThat(small.countsWhole((STARTED_MS + 120_000) * NS)).isTrue();
  }
}
