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
    assertThat(streams.explicit(s, start, start + 1_000 * NS, LAYOUT, new long[] {1, 2, 0}, d))
        .isEqualTo(OtlpStreams.Kind.WHOLE); // started after the server: its first point counts
    assertThat(d).containsExactly(1, 2, 0);
    assertThat(streams.explicit(s, start, start + 2_000 * NS, LAYOUT, new long[] {4, 2, 1}, d))
        .isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(d).containsExactly(3, 0, 1);
    // the same export again (a retry), and an older one: nothing
    assertThat(streams.explicit(s, start, start + 2_000 * NS, LAYOUT, new long[] {4, 2, 1}, d))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    assertThat(streams.explicit(s, start, start + 1_500 * NS, LAYOUT, new long[] {3, 2, 1}, d))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    // the client restarts: a new start time, counting from zero again, counts whole
    long restart = start + 5_000 * NS;
    assertThat(streams.explicit(s, restart, restart + 1_000 * NS, LAYOUT, new long[] {0, 1, 0}, d))
        .isEqualTo(OtlpStreams.Kind.WHOLE);
    assertThat(d).containsExactly(0, 1, 0);
    // a late export from before the restart adds nothing
    assertThat(streams.explicit(s, start, start + 3_000 * NS, LAYOUT, new long[] {9, 9, 9}, d))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    // counts that went down without a new start time: a reset too
    assertThat(streams.explicit(s, restart, restart + 2_000 * NS, LAYOUT, new long[] {0, 0, 1}, d))
        .isEqualTo(OtlpStreams.Kind.WHOLE);
    assertThat(d).containsExactly(0, 0, 1);
  }

  @Test
  void aStreamThatStartedBeforeTheServerIsOnlyRemembered() {
    OtlpStreams.Stream s = streams.stream("old", STARTED_MS);
    long start = (STARTED_MS - 60_000) * NS;
    long[] d = new long[3];
    assertThat(streams.explicit(s, start, (STARTED_MS + 5) * NS, LAYOUT, new long[] {50, 50, 5}, d))
        .isEqualTo(OtlpStreams.Kind.NOTHING);
    assertThat(
            streams.explicit(
                s, start, (STARTED_MS + 1_005) * NS, LAYOUT, new long[] {51, 52, 5}, d))
        .isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(d).containsExactly(1, 2, 0);
  }

  @Test
  void aChangedBucketLayoutIsAReset() {
    OtlpStreams.Stream s = streams.stream("a", STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    long[] d = new long[3];
    streams.explicit(s, start, start + NS, LAYOUT, new long[] {1, 1, 1}, d);
    assertThat(streams.explicit(s, start, start + 2 * NS, "other", new long[] {1, 2, 1}, d))
        .isEqualTo(OtlpStreams.Kind.WHOLE);
    assertThat(d).containsExactly(1, 2, 1);
  }

  @Test
  void exponentialPointsAreMergedDownWhenTheScaleDrops() {
    OtlpStreams.Stream s = streams.stream("e", STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    long[] zn = new long[2];
    long[] d4 = new long[4];
    // scale 3, buckets 8..11 hold 1,1,1,1; zero bucket 2
    assertThat(
            streams.exponential(s, start, start + NS, 3, 8, new long[] {1, 1, 1, 1}, 2, 0, d4, zn))
        .isEqualTo(OtlpStreams.Kind.WHOLE);
    // the SDK lowered the scale to 2: old buckets 8..11 are 4..5 now (2 each); one more in 5
    long[] d2 = new long[2];
    assertThat(streams.exponential(s, start, start + 2 * NS, 2, 4, new long[] {2, 3}, 3, 0, d2, zn))
        .isEqualTo(OtlpStreams.Kind.DELTA);
    assertThat(d2).containsExactly(0, 1);
    assertThat(zn).containsExactly(1, 0);
  }

  @Test
  void forgottenStreamsDoNotCountWholeWhenTheyComeBackAndTheCapHolds() {
    OtlpStreams small = new OtlpStreams(1, 60_000, STARTED_MS);
    long start = (STARTED_MS + 10) * NS;
    OtlpStreams.Stream a = small.stream("a", STARTED_MS + 20);
    small.explicit(a, start, start + NS, LAYOUT, new long[] {1, 0, 0}, new long[3]);
    assertThat(small.stream("b", STARTED_MS + 30)).isNull(); // cap of one stream
    // two minutes later "a" is idle: forgotten for "b"; "a"'s old start no longer counts whole
    assertThat(small.stream("b", STARTED_MS + 120_000)).isNotNull();
    assertThat(small.size()).isEqualTo(1);
    assertThat(small.countsWhole(start)).isFalse();
    assertThat(small.countsWhole((STARTED_MS + 120_000) * NS)).isTrue();
  }
}
