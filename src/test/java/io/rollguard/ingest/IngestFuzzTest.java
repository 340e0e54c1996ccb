package io.rollguard.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.rollguard.clock.ManualClock;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated bodies through the ingest parsers, hundreds of seeded tries each: whatever
 * arrives, parsing ends quickly, throws nothing but "this is not JSON at all", and an invalid item
 * never costs a valid neighbour. A failure names its seed.
 */
class IngestFuzzTest {

  private static final int TRIES = 400;

  private static Ingestor ingestor() {
    return new Ingestor(
        new SeriesRegistry(WindowSettings.defaults(), 100_000, 100_000),
        new IngestLimits(1 << 20, 16, 128, 10_000, 3_600_000, 1 << 20),
        new ManualClock(RandomBodies.NOW));
  }

  @Test
  void aBatchKeepsEveryValidItemWhateverItsNeighbours() throws Exception {
    for (long seed = 0; seed < TRIES; seed++) {
      Random r = new Random(seed);
      List<RandomBodies.Item> items = RandomBodies.items(r, 40);
      String batch = RandomBodies.batch(items);
      byte[] body = (r.nextBoolean() ? "[" + batch + "]" : batch).getBytes(StandardCharsets.UTF_8);
      IngestOutcome out = ingestor().ingestJson(body, body.length, s -> true);
      long valid = items.stream().filter(RandomBodies.Item::valid).count();
      assertThat(out.accepted()).as("seed %d: %s", seed, batch).isEqualTo(valid);
      assertThat(out.rejected()).as("seed %d: %s", seed, batch).isEqualTo(items.size() - valid);
    }
  }

  @Test
  void ndjsonLinesAreIndependentHoweverTheBodyIsChunked() throws Exception {
    for (long seed = 0; seed < TRIES; seed++) {
      Random r = new Random(seed);
      StringBuilder sb = new StringBuilder();
      long valid = 0;
      long invalid = 0;
      long broken = 0;
      for (int i = r.nextInt(30); i > 0; i--) {
        RandomBodies.Line line = RandomBodies.line(r);
        sb.append(line.text()).append('\n');
        valid += line.validItems();
        invalid += Math.max(0, line.items() - line.validItems());
        broken += line.items() < 0 ? 1 : 0;
      }
      byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
      int chunk = 1 + r.nextInt(97);
      Ingestor.NdjsonStream stream = ingestor().ndjson(s -> true);
      for (int from = 0; from < body.length; from += chunk) {
        stream.accept(body, from, Math.min(chunk, body.length - from));
      }
      IngestOutcome out = stream.finish();
      assertThat(out.accepted()).as("seed %d", seed).isEqualTo(valid);
      // a broken line counts what it read before it broke, at least one item
      assertThat(out.rejected()).as("seed %d", seed).isGreaterThanOrEqualTo(invalid + broken);
    }
  }

  @Test
  void aMutatedBodyEndsQuicklyAndFailsOnlyAsMalformed() {
    for (long seed = 0; seed < TRIES; seed++) {
      byte[] body = RandomBodies.mutated(new Random(seed));
      long s = seed;
      assertTimeoutPreemptively(
          Duration.ofSeconds(2),
          () -> {
            Ingestor ingestor = ingestor();
            try {
              ingestor.ingestJson(body, body.length, x -> true);
            } catch (MalformedBodyException expected) {
              assertThat(expected.getMessage())
                  .as("seed %d", s)
                  .startsWith("the body is not valid JSON");
            }
            Ingestor.NdjsonStream stream = ingestor.ndjson(x -> true);
            stream.accept(body, body.length);
            stream.finish();
          },
          "seed " + seed);
    }
  }
}
