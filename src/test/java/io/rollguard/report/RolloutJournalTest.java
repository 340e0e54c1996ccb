package io.rollguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rollout journal keeps changes only, survives a save and restore, and stays bounded. */
class RolloutJournalTest {

  @Test
  void onlyChangesOfTheVerdictAreKept() {
    RolloutJournal j = new RolloutJournal(86_400_000L, 100);
    assertThat(j.verdict("checkout", "hold", "canary", 1, List.of("no data"), 1_000)).isFalse();
    j.stageSet("checkout", "canary", 1, 1_500);
    assertThat(j.verdict("checkout", "hold", "canary", 1, List.of("no data"), 2_000)).isFalse();
    assertThat(j.verdict("checkout", "promote", "canary", 1, List.of("all held"), 3_000)).isTrue();
    assertThat(j.verdict("checkout", "promote", "canary", 1, List.of("all held"), 4_000)).isFalse();
    assertThat(j.verdict("checkout", "hold", "gradual", 1, List.of("min_duration"), 5_000))
        .isTrue();
    assertThat(j.between(0, Long.MAX_VALUE))
        .extracting(RolloutJournal.Entry::event)
        .containsExactly("stage", "promote", "hold");
    assertThat(j.between(2_000, 5_000))
        .extracting(RolloutJournal.Entry::atMillis)
        .containsExactly(3_000L);
  }

  @Test
  void aRestoredJournalKnowsEachRolloutsLastDecision() {
    RolloutJournal before = new RolloutJournal(86_400_000L, 100);
    before.verdict("checkout", "rollback", "canary", 1, List.of("p95 too high"), 1_000);
    RolloutJournal after = new RolloutJournal(86_400_000L, 100);
    after.restore(before.save());
    // the same rollback seen again after a restart is not news; a new attempt is
    assertThat(after.verdict("checkout", "rollback", "canary", 1, List.of("p95 too high"), 2_000))
        .isFalse();
    assertThat(after.verdict("checkout", "hold", "canary", 2, List.of(), 3_000)).isTrue();
    assertThat(after.save()).hasSize(2);
  }

  @Test
  void oldAndSurplusEntriesAreDropped() {
    RolloutJournal j = new RolloutJournal(10_000, 3);
    for (int i = 0; i < 5; i++) {
      j.stageSet("checkout", "s" + i, 1, i * 1_000L);
    }
    assertThat(j.save()).extracting(RolloutJournal.Entry::stage).containsExactly("s2", "s3", "s4");
    j.stageSet("checkout", "late", 1, 20_000);
    assertThat(j.save()).extracting(RolloutJournal.Entry::stage).containsExactly("late");
  }
}
