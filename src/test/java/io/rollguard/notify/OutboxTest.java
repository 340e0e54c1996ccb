package io.rollguard.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox on real files: what goes in comes back out after a "crash", in order. */
class OutboxTest {

  @TempDir Path dir;

  @Test
  void pendingNotificationsComeBackInTheOrderTheyWereMade() throws Exception {
    Outbox outbox = new Outbox(dir.resolve("outbox"));
    Notification first =
        Alerts.notification(
            "0000000000001-000000001", Notification.Event.FIRING, Alerts.firing("a"));
    Notification second =
        Alerts.notification(
            "0000000000001-000000002", Notification.Event.RESOLVED, Alerts.resolved("a"));
    Notification third =
        Alerts.notification(
            "0000000000002-000000003", Notification.Event.FIRING, Alerts.firing("b"));
    outbox.add(List.of(third, first, second));
    outbox.remove(third);

    // A new process reads the directory.
    List<Notification> back = new Outbox(dir.resolve("outbox")).load();
    assertThat(back).containsExactly(first, second);
  }

  @Test
  void leftoversOfInterruptedWritesAreDroppedAndUnreadableFilesSetAside() throws Exception {
    Path box = Files.createDirectories(dir.resolve("outbox"));
    Files.writeString(box.resolve("0000000000001-000000001.json.tmp"), "{\"id\":"); // torn
    Files.writeString(box.resolve("0000000000001-000000002.json"), "not json");
    assertThat(new Outbox(box).load()).isEmpty();
    assertThat(box.resolve("0000000000001-000000001.json.tmp")).doesNotExist();
    assertThat(box.resolve("unreadable/0000000000001-000000002.json")).exists();
  }

  @Test
  void remindersRepeatAtTheReceiversIntervalUntilResolved() {
    var slack =
        new io.rollguard.config.RollguardConfig.Receiver(
            "slack",
            "slack",
            "http://x",
            null,
            null,
            null,
            false,
            null,
            Duration.ofMinutes(30),
            Alerts.delivery(3, Duration.ofHours(1)),
            io.rollguard.config.RollguardConfig.ChangeEvents.OFF,
            null);
    var quiet = Alerts.receiver("webhook", "http://y", null, "webhook");
    Reminders reminders = new Reminders(Map.of("slack", slack, "r", quiet));
    reminders.open(Alerts.firing("a"), List.of("slack", "r"), 0);
    assertThat(reminders.due(29 * 60_000)).isEmpty(); // t=29m
    assertThat(reminders.due(30 * 60_000)) // t=30m: the first reminder, to slack only
        .singleElement()
        .isEqualTo(new Reminders.Due(Alerts.firing("a"), "slack", 1));
    assertThat(reminders.due(45 * 60_000)).isEmpty();
    assertThat(reminders.due(60 * 60_000)).extracting(Reminders.Due::repeat).containsExactly(2);
    reminders.close("a");
    assertThat(reminders.due(90 * 60_000)).isEmpty();
  }
}
