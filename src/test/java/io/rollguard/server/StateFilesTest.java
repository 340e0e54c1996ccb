package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.rollout.RolloutEngine;
import io.rollguard.slo.SloEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state files across versions (docs/releasing.md): what this version writes it reads back; what
 * released versions wrote (src/test/resources/state-files/VERSION) it still reads; and a file of a
 * newer format is refused with a message that says so, never misread.
 */
class StateFilesTest {

  @TempDir Path dir;

  @Test
  void rolloutSloAndReportStatesRoundTrip() throws Exception {
    var stages =
        List.of(
            new RolloutEngine.SavedStage(
                "checkout", "half", 5_000, true, 3, "inc-9", 6_000, List.of("P95 too high")),
            new RolloutEngine.SavedStage("search", "canary", 1_000, false, 1, null, 0, List.of()));
    new RolloutStateStore(dir).save(stages);
    assertThat(new RolloutStateStore(dir).load()).isEqualTo(stages);

    InstanceState firing = new InstanceState(Phase.FIRING, 1_000, 2, 2_000, 3_000, "inc-1");
    var slo =
        new SloEngine.SavedSlo(
            "avail", "requests{service=x}", List.of(new long[] {1, 2, 3}), Map.of("page", firing));
    new SloStateStore(dir).save(List.of(slo));
    SloEngine.SavedSlo back = new SloStateStore(dir).load().get(0);
    assertThat(back.name()).isEqualTo("avail");
    assertThat(back.counting()).isEqualTo("requests{service=x}");
    assertThat(back.counts())
        .singleElement()
        .satisfies(c -> assertThat(c).containsExactly(1, 2, 3));
    assertThat(back.tiers()).isEqualTo(Map.of("page", firing));

    ReportStateStore reports = new ReportStateStore(dir);
    var sent = List.of(new ReportStateStore.Sent("weekly", 9_000, "2026-11-30T09:00Z[UTC]"));
    reports.saveSent(sent);
    assertThat(new ReportStateStore(dir).loadSent()).isEqualTo(sent);
    var journal =
        List.of(
            new io.rollguard.report.RolloutJournal.Entry(
                "checkout", 5_000, "promote", "canary", 2, List.of("all held")));
    reports.saveJournal(journal);
    assertThat(new ReportStateStore(dir).loadJournal()).isEqualTo(journal);
  }

  @Test
  void filesWrittenByRelease010AreRead() throws Exception {
    Path data = copyRelease("0.1.0");

    AlertStateStore.Saved alerts = new AlertStateStore(data).load();
    assertThat(alerts.savedAtMillis()).isEqualTo(1_764_600_000_000L);
    assertThat(alerts.instances())
        .containsExactly(
            new RuleEngine.SavedInstance(
                "checkout-errors",
                Map.of("service", "checkout", "version", "v2"),
                new InstanceState(
                    Phase.FIRING,
                    1_764_599_700_000L,
                    3,
                    1_764_599_760_000L,
                    1_764_600_000_000L,
                    "inc-20251201-0001")));

    assertThat(new RolloutStateStore(data).load())
        .containsExactly(
            new RolloutEngine.SavedStage(
                "checkout",
                "canary",
                1_764_599_000_000L,
                true,
                2,
                "inc-20251201-0002",
                1_764_599_900_000L,
                List.of("P95 812ms > 500ms")));

    SloEngine.SavedSlo slo = new SloStateStore(data).load().get(0);
    assertThat(slo.name()).isEqualTo("checkout-availability");
    assertThat(slo.counts()).hasSize(2);
    assertThat(slo.counts().get(1)).containsExactly(1_764_601_200L, 980, 1);
    assertThat(slo.tiers().get("page").phase()).isEqualTo(Phase.INACTIVE);
    assertThat(slo.tiers().get("page").incidentId()).isNull();

    ReportStateStore reports = new ReportStateStore(data);
    assertThat(reports.loadSent())
        .containsExactly(
            new ReportStateStore.Sent(
                "daily", 1_764_576_000_000L, "2025-12-01T09:00+01:00[Europe/Paris]"));
    assertThat(reports.loadJournal())
        .extracting(e -> e.event() + " " + e.stage() + " " + e.reasons())
        .containsExactly("stage canary []", "rollback canary [P95 812ms > 500ms]");
  }

  @Test
  void aNewerFormatIsRefusedWithAMessageNotMisread() throws Exception {
    Files.createDirectories(dir.resolve("state"));
    for (String name :
        List.of(
            "alerts.json", "rollouts.json", "slos.json", "reports.json", "rollout-journal.json")) {
      Files.writeString(
          dir.resolve("state").resolve(name),
          "{\"format\":2,\"instances\":[],\"rollouts\":[],\"slos\":[],\"reports\":[],"
              + "\"entries\":[],\"new_thing\":{}}");
    }
    List<ThrowingLoad> loads =
        List.of(
            () -> new AlertStateStore(dir).load(),
            () -> new RolloutStateStore(dir).load(),
            () -> new SloStateStore(dir).load(),
            () -> new ReportStateStore(dir).loadSent(),
            () -> new ReportStateStore(dir).loadJournal());
    for (ThrowingLoad load : loads) {
      assertThatThrownBy(load::load)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("written by a newer Rollguard (state format 2")
          .hasMessageContaining("reads formats up to " + StateFile.FORMAT)
          .hasMessageContaining("move the file away");
    }
  }

  @Test
  void aFileWithoutAFormatIsTheFirstFormat() throws Exception {
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(
        dir.resolve("state/rollouts.json"),
        "{\"rollouts\":[{\"rollout\":\"a\",\"stage\":\"s\",\"stage_since\":7}]}",
        StandardCharsets.UTF_8);
    assertThat(new RolloutStateStore(dir).load())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.stage()).isEqualTo("s");
              assertThat(s.stageSinceMillis()).isEqualTo(7);
              assertThat(s.attempt()).isEqualTo(1);
              assertThat(s.rollbackIncidentId()).isNull();
            });
  }

  private interface ThrowingLoad {
    Object load() throws IOException;
  }

  private Path copyRelease(String version) throws Exception {
    Path from = Path.of("src/test/resources/state-files", version);
    Path data = dir.resolve("release-" + version);
    Files.createDirectories(data.resolve("state"));
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, data.resolve("state").resolve(f.getFileName()));
      }
    }
    return data;
  }
}
