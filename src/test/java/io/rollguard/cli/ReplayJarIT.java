package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rollguard replay} from the real jar on a recorded file (15 minutes of a canary and its
 * baseline: a latency spike from 12:16:20 to 12:22:20, 20% errors from 12:23:20 to 12:25:20).
 */
class ReplayJarIT {

  private static final Path DIR = Path.of("src", "test", "resources", "replay").toAbsolutePath();

  @TempDir Path dir;

  /** {@code rollguard replay --rules rules.yaml --input <input> <options>} from the real jar. */
  private RollguardProcess replay(Path input, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("replay"));
    args.addAll(List.of(options));
    args.addAll(
        List.of("--rules", DIR.resolve("rules.yaml").toString(), "--input", input.toString()));
    return RollguardProcess.start(dir, args.toArray(new String[0]));
  }

  private static final Path RECORDED = DIR.resolve("recorded.ndjson");

  @Test
  void theTimelineOfARecordingIsTheGoldenOne() throws Exception {
    try (RollguardProcess replay = replay(RECORDED)) {
      assertThat(replay.waitForExit(60)).isZero();
      assertThat(replay.stdout()).isEqualTo(Files.readString(DIR.resolve("expected.txt")));
    }
  }

  @Test
  void jsonLinesCarryTheRolloutAndTheReceivers() throws Exception {
    try (RollguardProcess replay = replay(RECORDED, "--json")) {
      assertThat(replay.waitForExit(60)).isZero();
      String first = replay.stdout().lines().findFirst().orElseThrow();
      assertThat(first)
          .startsWith(
              "{\"at\":\"2025-11-23T12:17:30Z\",\"event\":\"rollback\",\"rule\":\"checkout\"")
          .contains("\"rollout\":{\"name\":\"checkout\",\"stage\":\"canary\"}")
          .endsWith("\"receivers\":[\"console\"]}");
      assertThat(replay.stdout().lines()).hasSize(5);
    }
  }

  @Test
  void aLineWithoutTimeStampsIsNamed() throws Exception {
    Path input = dir.resolve("bad.ndjson");
    Files.writeString(
        input,
        "{\"service\":\"checkout\",\"ts\":1763900000000,\"latency_ms\":5}\n"
            + "{\"service\":\"checkout\",\"latency_ms\":5}\n");
    try (RollguardProcess replay = replay(input)) {
      assertThat(replay.waitForExit(60)).isEqualTo(1);
      assertThat(replay.stdout()).contains("line 2: no \"ts\"; replay needs time-stamped samples");
    }
  }

  @Test
  void theLiveStageCanBeGivenAndAnUnknownOneIsRefused() throws Exception {
    try (RollguardProcess replay = replay(RECORDED, "--stage", "checkout=full")) {
      assertThat(replay.waitForExit(60)).isZero();
      // at stage full, the canary's series are not the rollout's: no rollback, the rules still fire
      assertThat(replay.stdout()).doesNotContain("ROLLBACK").contains("FIRING    canary-p95");
    }
    try (RollguardProcess replay = replay(RECORDED, "--stage", "checkout=everything")) {
      assertThat(replay.waitForExit(60)).isEqualTo(1);
      assertThat(replay.stdout())
          .contains("rollout 'checkout' has no stage 'everything' (stages: canary, full)");
    }
  }
}
