package io.rollguard.replay;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.clock.ManualClock;
import io.rollguard.config.RollguardConfig;
import io.rollguard.evaluation.Evaluation;
import io.rollguard.ingest.IngestLimits;
import io.rollguard.ingest.IngestOutcome;
import io.rollguard.ingest.Ingestor;
import io.rollguard.ingest.LineTooLongException;
import io.rollguard.ingest.NdjsonLines;
import io.rollguard.ingest.Timestamps;
import io.rollguard.notify.Links;
import io.rollguard.notify.Routing;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Replays recorded ingest NDJSON (SPEC 1.2, with time stamps) on virtual time: the clock follows
 * the data, every line goes through the server's {@link Ingestor}, and the {@link Evaluation} is
 * ticked at every evaluation interval the data passes, exactly as {@code serve} would have. What
 * the rules raise is handed to {@code timeline} with the receivers it would have gone to; nothing
 * is sent. Lines must be in time order (as a recording is); a line's time is its latest {@code ts}.
 *
 * <p>Not thread-safe: one replay per instance.
 */
public final class Replayer {

  /** A transition that would have happened, and who would have been told. */
  public record Entry(AlertEvent event, List<String> receivers) {}

  /** What was replayed. */
  public record Summary(
      long lines, long accepted, long rejected, long fromMillis, long toMillis, long ticks) {}

  private final RollguardConfig config;
  private final RuleLoader.Result rules;
  private final Map<String, String> stages;

  /** {@code stages}: the live stage of rollouts, by name (others start at their first stage). */
  public Replayer(RollguardConfig config, RuleLoader.Result rules, Map<String, String> stages) {
    this.config = config;
    this.rules = rules;
    this.stages = Map.copyOf(stages);
  }

  /**
   * Replays {@code input}; each transition goes to {@code timeline} as it happens.
   *
   * @throws IOException when the input cannot be read
   * @throws IllegalArgumentException naming the line when a line has no time stamp
   */
  public Summary replay(InputStream input, Consumer<Entry> timeline) throws IOException {
    ManualClock clock = new ManualClock(0);
    RollguardConfig.Limits limits = config.limits();
    SeriesRegistry registry =
        new SeriesRegistry(
            WindowSettings.of(limits.maxWindow(), limits.maxFutureSkew()),
            limits.maxSeries(),
            limits.maxSeriesPerService());
    Ingestor ingestor = new Ingestor(registry, IngestLimits.of(limits), clock);
    Ingestor.NdjsonStream stream = ingestor.ndjson(service -> true);
    Evaluation evaluation =
        new Evaluation(registry, config.evaluationInterval(), limits.maxFutureSkew(), clock);
    Routing routing = new Routing(config, new Links(config.linkBase(8080)));
    long interval = config.evaluationInterval().toMillis();
    Progress progress = new Progress();
    NdjsonLines lines = new NdjsonLines(limits.maxBodyBytes());
    NdjsonLines.Handler replayLine =
        (bytes, from, length, number) -> {
          progress.lines = number;
          if (isBlank(bytes, from, length)) {
            return;
          }
          long at = latestTs(bytes, from, length);
          if (at == Long.MIN_VALUE) {
            throw new IllegalArgumentException(
                "line " + number + ": no \"ts\"; replay needs time-stamped samples");
          }
          if (progress.nextTick == Long.MIN_VALUE) {
            progress.first = at;
            progress.nextTick = Math.floorDiv(at, interval) * interval;
            clock.advanceTo(progress.nextTick);
            hand(evaluation.load(rules, progress.nextTick), evaluation, routing, timeline);
            for (var stage : stages.entrySet()) {
              var change =
                  evaluation
                      .rollouts()
                      .setStage(stage.getKey(), stage.getValue(), progress.nextTick);
              if (change.error() != null) {
                throw new IllegalArgumentException(change.error());
              }
              hand(change.events(), evaluation, routing, timeline);
            }
          }
          while (progress.nextTick < at) {
            clock.advanceTo(progress.nextTick);
            hand(evaluation.tick(progress.nextTick).all(), evaluation, routing, timeline);
            progress.ticks++;
            progress.nextTick += interval;
          }
          progress.last = Math.max(progress.last, at);
          clock.advanceTo(Math.max(clock.wallTimeMillis(), at));
          stream.acceptLine(bytes, from, length, number);
        };
    byte[] chunk = new byte[1 << 20];
    int n;
    try {
      while ((n = input.read(chunk)) >= 0) {
        lines.accept(chunk, 0, n, replayLine);
      }
    } catch (LineTooLongException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    lines.finish(replayLine);
    IngestOutcome outcome = stream.finish();
    if (progress.nextTick != Long.MIN_VALUE) {
      clock.advanceTo(progress.nextTick);
      hand(evaluation.tick(progress.nextTick).all(), evaluation, routing, timeline);
      progress.ticks++;
    }
    return new Summary(
        progress.lines,
        outcome.accepted(),
        outcome.rejected(),
        progress.first,
        progress.last,
        progress.ticks);
  }

  /** Where a replay stands: lines read, data time span, the next evaluation due. */
  private static final class Progress {
    long lines;
    long nextTick = Long.MIN_VALUE;
    long first;
    long last;
    long ticks;
  }

  private static void hand(
      List<AlertEvent> events, Evaluation evaluation, Routing routing, Consumer<Entry> timeline) {
    if (events.isEmpty()) {
      return;
    }
    for (AlertEvent e : events) {
      if (e.kind() != AlertEvent.Kind.PENDING) {
        List<String> receivers = new ArrayList<>();
        for (String r : routing.route(e)) {
          if (!routing.notifications(e, r, 0, () -> "", e.atMillis()).isEmpty()) {
            receivers.add(r);
          }
        }
        timeline.accept(new Entry(e, List.copyOf(receivers)));
      } else {
        timeline.accept(new Entry(e, List.of()));
      }
    }
  }

  private static boolean isBlank(byte[] line, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      if (line[i] > ' ') {
        return false;
      }
    }
    return true;
  }

  private static final byte[] TS = "\"ts\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * The latest {@code "ts"} value in a line, found by a scan rather than a parse (the ingest parser
   * reads the line properly right after) and read by the same {@link Timestamps} rules as ingest,
   * so both agree on every value; {@code Long.MIN_VALUE} when the line has none.
   */
  static long latestTs(byte[] line, int offset, int length) {
    long latest = Long.MIN_VALUE;
    int limit = offset + length;
    for (int i = offset; i + TS.length <= limit; i++) {
      if (!matches(line, i, TS)) {
        continue;
      }
      int j = i + TS.length;
      while (j < limit && (line[j] == ' ' || line[j] == ':')) {
        j++;
      }
      boolean quoted = j < limit && line[j] == '"';
      int start = quoted ? j + 1 : j;
      int end = start;
      while (end < limit && (quoted ? line[end] != '"' : isNumberChar(line[end]))) {
        end++;
      }
      if (end == start) {
        continue;
      }
      try {
        String text = new String(line, start, end - start, StandardCharsets.US_ASCII);
        latest = Math.max(latest, Timestamps.parse(text, quoted));
      } catch (IllegalArgumentException e) {
        // not a time: the ingest parser reports it
      }
    }
    return latest;
  }

  private static boolean isNumberChar(byte b) {
    return (b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E';
  }

  private static boolean matches(byte[] line, int at, byte[] token) {
    for (int k = 0; k < token.length; k++) {
      if (line[at + k] != token[k]) {
        return false;
      }
    }
    return true;
  }
}
