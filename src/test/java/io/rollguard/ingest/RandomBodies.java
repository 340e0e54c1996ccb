package io.rollguard.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random ingest bodies for property tests, each drawn from a seeded {@link Random} so that a
 * failure names the seed that reproduces it. Items and lines know whether ingest must take them.
 */
public final class RandomBodies {

  public static final long NOW = 1_763_900_000_000L;

  /** One request item, as JSON text, and whether ingest must accept it. */
  public record Item(String json, boolean valid) {}

  /** One NDJSON line and what it holds: valid items, all items (-1: the line is broken JSON). */
  public record Line(String text, int validItems, int items) {}

  private static final String[] INVALID = {
    "{\"latency_ms\":-1}",
    "{\"latency_ms\":\"5\"}",
    "{\"ok\":true}",
    "{\"latency_ms\":5,\"status\":\"503\"}",
    "{\"latency_ms\":5,\"ok\":\"false\"}",
    "{\"latency_ms\":5,\"status\":99999999999}",
    "{\"latency_ms\":5,\"ts\":99999999999999999999}",
    "{\"latency_ms\":5,\"ts\":1e300}",
    "{\"latency_ms\":5,\"ts\":\"yesterday\"}",
    "{\"latency_ms\":5,\"ts\":" + (NOW - 7_200_000) + "}",
    "{\"latency_ms\":5,\"ts\":" + (NOW + 60_000) + "}",
    "{\"latency_ms\":5,\"labels\":[\"stage\",\"canary\"]}",
    "{\"latency_ms\":5,\"labels\":{\"stage\":{\"v\":1}}}",
    "{\"latency_ms\":5,\"labels\":{\"service\":\"other\"}}",
    "[1,2,3]",
    "\"text\"",
    "null"
  };

  private static final String[] OUTCOMES = {"", ",\"ok\":true", ",\"ok\":false", ",\"status\":503"};

  private static final String[] TIMES = {
    "",
    ",\"ts\":" + (NOW - 5_000),
    ",\"ts\":" + (NOW - 1_000) + ".5",
    ",\"ts\":\"" + java.time.Instant.ofEpochMilli(NOW - 2_000) + "\""
  };

  private static final String[] LABELS = {
    "", ",\"labels\":{\"endpoint\":\"/pay\"}", ",\"labels\":{\"pod\":\"p1\"}"
  };

  private static final String[] BROKEN = {
    "{\"service\":\"fuzz\",\"latency_ms\":",
    "{\"service\":\"fuzz\",\"latency_ms\":1} {\"service\":\"fuzz\",\"latency_ms\":2}",
    "{\"service\":\"fuzz\",\"requests\":[{\"latency_ms\":1},",
    "not json at all",
    "{\"service\":\"fuzz\",\"latency_ms\":1,}"
  };

  private RandomBodies() {}

  /** A request item: valid three times in four. */
  public static Item item(Random r) {
    if (r.nextInt(4) == 0) {
      return new Item(INVALID[r.nextInt(INVALID.length)], false);
    }
    double ms = Math.round(r.nextDouble() * 3_600_000_000.0) / 1000.0;
    return new Item(
        "{\"latency_ms\":"
            + ms
            + OUTCOMES[r.nextInt(OUTCOMES.length)]
            + TIMES[r.nextInt(TIMES.length)]
            + LABELS[r.nextInt(LABELS.length)]
            + "}",
        true);
  }

  public static List<Item> items(Random r, int max) {
    List<Item> items = new ArrayList<>();
    for (int i = r.nextInt(max + 1); i > 0; i--) {
      items.add(item(r));
    }
    return items;
  }

  /** A batch of {@code items} for service {@code fuzz}. */
  public static String batch(List<Item> items) {
    StringBuilder sb = new StringBuilder("{\"service\":\"fuzz\",\"requests\":[");
    for (int i = 0; i < items.size(); i++) {
      sb.append(i > 0 ? "," : "").append(items.get(i).json());
    }
    return sb.append("]}").toString();
  }

  /** An NDJSON line: a flat request, a batch, a broken line or a blank one. */
  public static Line line(Random r) {
    int kind = r.nextInt(8);
    if (kind < 4) {
      Item i = item(r);
      return i.json().startsWith("{")
          ? new Line("{\"service\":\"fuzz\"," + i.json().substring(1), i.valid() ? 1 : 0, 1)
          : new Line(i.json(), 0, 1);
    }
    if (kind < 6) {
      List<Item> items = items(r, 20);
      return new Line(batch(items), (int) items.stream().filter(Item::valid).count(), items.size());
    }
    return kind == 6 ? new Line(BROKEN[r.nextInt(BROKEN.length)], 0, -1) : new Line("", 0, 0);
  }

  /**
   * A body of several batches with gauges, checks and a histogram, then bytes changed at random.
   */
  public static byte[] mutated(Random r) {
    String text =
        "["
            + batch(items(r, 30))
                .replace(
                    "]}",
                    "],\"gauges\":[{\"name\":\"g\",\"value\":1}],"
                        + "\"checks\":[{\"name\":\"c\",\"ok\":false}],"
                        + "\"histograms\":[{\"end\":"
                        + NOW
                        + ",\"hdr\":\"HISTFAAAACd4+VUmCCOTaZkszMDAwMwAAUxQmhFEXJu8hMH+A0TgOCMTAGEYBVM=\"}]}")
            + "]";
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    for (int i = r.nextInt(12); i > 0 && b.length > 0; i--) {
      b[r.nextInt(b.length)] = (byte) r.nextInt(256);
    }
    if (r.nextInt(4) == 0) {
      b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // cut short
    }
    return b;
  }
}
