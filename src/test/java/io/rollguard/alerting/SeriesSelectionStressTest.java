package io.rollguard.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.window.Labels;
import io.rollguard.window.Selector;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A selection cached by registry version must never keep missing a series: the version may only
 * move once the new series is visible to readers, or a reader can cache a set without it and keep
 * it until some other series comes or goes (most likely just when a canary's series first appear).
 */
class SeriesSelectionStressTest {

  @Test
  void aSelectionRefreshedWhileSeriesAreCreatedEndsUpWithAllOfThem() throws Exception {
    int writers = 2;
    int perWriter = 20;
    for (int round = 0; round < 300; round++) {
      SeriesRegistry registry = new SeriesRegistry(WindowSettings.defaults(), 10_000, 10_000);
      SeriesSelection selection =
          new SeriesSelection(Selector.parse(Map.of("service", "checkout")), List.of("pod"), null);
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread reader =
          new Thread(
              () -> {
                while (writing.get()) {
                  selection.groups(registry);
                }
              });
      reader.start();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0; i < perWriter; i++) {
                    registry.requests(Labels.of("service", "checkout", "pod", writer + "-" + i));
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      writing.set(false);
      reader.join();
      // the reader thread is done: its selection now belongs to this one (join orders them)
      assertThat(selection.groups(registry)).as("round %d", round).hasSize(writers * perWriter);
    }
  }
}
