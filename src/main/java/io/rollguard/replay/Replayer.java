package io.rollguard.replay;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.clock.ManualClock;
import io.rollguard.config.RollguardConfig;
import io.rollguard.evaluation.Evaluation;
import io.rollguard.ingest.IngestLimits;
import io.rollguard.ingest.IngestOutcome;
import io.rollguard.ingest.Ingestor;
import io.rollguard.ingest.LineTooLongException;
import io.rollguard.notify.Links;
import io.rollguard.notify.Routing;
import io.rollguard.rules.RuleLoader;
import io.rollguard.window.SeriesRegistry;
import io.rollguard.window.WindowSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
    long lines = 0;
    long nextTick = Long.MIN_VALUE;
    long first = 0;
    long last = 0;
    long ticks = 0;
    LineReader reader = new LineReader(input);
    int length;
    while ((length = reader.next()) >= 0) {
      byte[] line = reader.line();
      int offset = reader.offset();
      lines++;
      if (isBlank(line, offset, length)) {
        continue;
      }
      long at = latestTs(line, offset, length);
      if (at == Long.MIN_VALUE) {
        throw new IllegalArgumentException(
            "line " + lines + ": no \"ts\"; replay needs time-stamped samples");
      }
      if (nextTick == Long.MIN_VALUE) {
        first = at;
        nextTick = Math.floorDiv(at, interval) * interval;
        clock.advanceTo(nextTick);
        hand(evaluation.load(rules, nextTick), evaluation, routing, timeline);
        for (var stage : stages.entrySet()) {
          var change = evaluation.rollouts().setStage(stage.getKey(), stage.getValue(), nextTick);
          if (change.error() != null) {
            throw new IllegalArgumentException(change.error());
          }
          hand(change.events(), evaluation, routing, timeline);
        }
      }
      while (nextTick < at) {
        clock.advanceTo(nextTick);
        hand(evaluation.tick(nextTick).all(), evaluation, routing, timeline);
        ticks++;
        nextTick += interval;
      }
      last = Math.max(last, at);
      clock.advanceTo(Math.max(clock.wallTimeMillis(), at));
      try {
        stream.accept(line, offset, length);
      } catch (LineTooLongException e) {
        throw new IllegalArgumentException("line " + lines + ": " + e.getMessage(), e);
      }
    }
    IngestOutcome outcome = stream.finish();
    if (nextTick != Long.MIN_VALUE) {
      clock.advanceTo(nextTick);
      hand(evaluation.tick(nextTick).all(), evaluation, routing, timeline);
      ticks++;
    }
    return new Summary(lines, outcome.accepted(), outcome.rejected(), first, last, ticks);
  }

  private static void hand(
      List<AlertEvent> events, Evaluation evaluation, Routing routing, Consumer<Entry> timeline) {
    if (events.isEmpty()) {
      return;
    }
    var receiversOf = evaluation.receivers();
    for (AlertEvent e : events) {
      if (e.kind() != AlertEvent.Kind.PENDING) {
        List<String> receivers = new ArrayList<>();
        for (String r : routing.route(e, receiversOf.apply(e))) {
          if (routing.notification(e, r, 0, "", e.atMillis()) != null) {
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
   * The latest {@code "ts"} value in a line (epoch milliseconds, or an RFC 3339 string), found by a
   * scan rather than a parse: the ingest parser reads the line properly right after.
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
      if (j < limit && line[j] == '"') {
        int end = j + 1;
        while (end < limit && line[end] != '"') {
          end++;
        }
        try {
          String text = new String(line, j + 1, end - j - 1, StandardCharsets.US_ASCII);
          latest = Math.max(latest, Instant.parse(text).toEpochMilli());
        } catch (DateTimeParseException e) {
          // not a time: the ingest parser reports it
        }
      } else {
        long v = 0;
        int digits = 0;
        while (j < limit && line[j] >= '0' && line[j] <= '9') {
          v = v * 10 + (line[j] - '0');
          j++;
          digits++;
        }
        if (digits > 0) {
          latest = Math.max(latest, v);
        }
      }
    }
    return latest;
  }

  private static boolean matches(byte[] line, int at, byte[] token) {
    for (int k = 0; k < token.length; k++) {
      if (line[at + k] != token[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads lines (with their newline) out of large chunks: a line is handed out as a slice of the
   * chunk, copied only when it straddles two chunks.
   */
  private static final class LineReader {
    private final InputStream in;
    private byte[] chunk = new byte[1 << 20];
    private int start;
    private int end;
    private byte[] line;
    private int lineStart;
    private boolean eof;

    LineReader(InputStream in) {
      this.in = in;
    }

    /** The array holding the line last read, from {@link #offset()}. */
    byte[] line() {
      return line;
    }

    int offset() {
      return lineStart;
    }

    /** Reads the next line; its length with the newline, or -1 at the end. */
    int next() throws IOException {
      while (true) {
        for (int i = start; i < end; i++) {
          if (chunk[i] == '\n') {
            line = chunk;
            lineStart = start;
            int length = i + 1 - start;
            start = i + 1;
            return length;
          }
        }
        if (eof) {
          if (start == end) {
            return -1;
          }
          line = java.util.Arrays.copyOfRange(chunk, start, end + 1);
          line[end - start] = '\n';
          lineStart = 0;
          int length = end - start + 1;
          start = end;
          return length;
        }
        fill();
      }
    }

    /** Moves the partial line to the front (growing the chunk if it fills it) and reads more. */
    private void fill() throws IOException {
      int pending = end - start;
      if (pending == chunk.length) {
        chunk = java.util.Arrays.copyOf(chunk, chunk.length * 2);
      } else if (start > 0) {
        System.arraycopy(chunk, start, chunk, 0, pending);
      }
      start = 0;
      end = pending;
      int n = in.read(chunk, end, chunk.length - end);
      if (n < 0) {
        eof = true;
      } else {
        end += n;
      }
    }
  }
}
