package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.InstanceState;
import io.rollguard.alerting.Phase;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.notify.Notification;
import io.rollguard.rules.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertStateStoreTest {

  @TempDir Path dir;

  private static final InstanceState FIRING =
      new InstanceState(Phase.FIRING, 1_000, 3, 3_000, 5_000, "inc-a");

  private static Notification made(AlertEvent.Kind kind, String incident, long atMillis) {
    AlertEvent e =
        AlertEvent.builder(kind, AlertEvent.Source.RULE, "errors")
            .severity(Severity.CRITICAL)
            .labels(Map.of("pod", "b", "team", "x"))
            .expr("error_rate > 1%")
            .window("1m")
            .value(0.5, "50%")
            .threshold("> 1%")
            .reason("why")
            .incident(incident, 900, 1_900)
            .at(atMillis)
            .build();
    return new Notification(
        atMillis + "-1",
        "pd",
        kind == AlertEvent.Kind.FIRING ? Notification.Event.FIRING : Notification.Event.RESOLVED,
        0,
        e,
        atMillis,
        null);
  }

  @Test
  void statesRoundTripThroughTheFile() throws Exception {
    AlertStateStore store = new AlertStateStore(dir);
    assertThat(store.load().instances()).isEmpty();
    var saved = List.of(new RuleEngine.SavedInstance("errors", Map.of("pod", "a"), FIRING));
    store.save(saved, 6_000);
    AlertStateStore.Saved back = new AlertStateStore(dir).load();
    assertThat(back.savedAtMillis()).isEqualTo(6_000);
    assertThat(back.instances()).isEqualTo(saved);
  }

  @Test
  void theOutboxMendsStatesThatACrashKeptFromBeingSaved() {
    var saved =
        new AlertStateStore.Saved(
            6_000, List.of(new RuleEngine.SavedInstance("errors", Map.of("pod", "a"), FIRING)));
    List<RuleEngine.SavedInstance> mended =
        AlertStateStore.reconcile(
            saved,
            List.of(
                made(AlertEvent.Kind.FIRING, "inc-old", 5_000), // already reflected: ignored
                made(AlertEvent.Kind.RESOLVED, "inc-a", 7_000), // made after the save: a is over
                made(AlertEvent.Kind.FIRING, "inc-b", 7_000))); // made after the save: b fires
    assertThat(mended)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.state().incidentId()).isEqualTo("inc-b");
              assertThat(s.state().phase()).isEqualTo(Phase.FIRING);
              assertThat(s.state().firedAtMillis()).isEqualTo(1_900);
              assertThat(s.instance()).containsEntry("pod", "b");
            });
  }
}
