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
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
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

  public Replayer(RollguardConfig config, RuleLoader.Result rules) {
    this.config = config;
    this.rules = rules;
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
    LineReader reader = new LineReader(new BufferedInputStream(input, 1 << 16));
    int length;
    while ((length = reader.next()) >= 0) {
      byte[] line = reader.line();
      lines++;
      if (isBlank(line, length)) {
        continue;
      }
      long at = latestTs(line, length);
      if (at == Long.MIN_VALUE) {
        throw new IllegalArgumentException(
            "line " + lines + ": no \"ts\"; replay needs time-stamped samples");
      }
      if (nextTick == Long.MIN_VALUE) {
        first = at;
        nextTick = Math.floorDiv(at, interval) * interval;
        clock.advanceTo(nextTick);
        hand(evaluation.load(rules, nextTick), evaluation, routing, timeline);
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
        stream.accept(line, length);
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
    for (AlertEvent e : events) {
      if (e.kind() != AlertEvent.Kind.PENDING) {
        List<String> receivers = new ArrayList<>();
        for (String r : routing.route(e, evaluation.receiversOf(e))) {
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

  private static boolean isBlank(byte[] line, int length) {
    for (int i = 0; i < length; i++) {
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
  static long latestTs(byte[] line, int length) {
    long latest = Long.MIN_VALUE;
    for (int i = 0; i + TS.length <= length; i++) {
      if (!matches(line, i, TS)) {
        continue;
      }
      int j = i + TS.length;
      while (j < length && (line[j] == ' ' || line[j] == ':')) {
        j++;
      }
      if (j < length && line[j] == '"') {
        int end = j + 1;
        while (end < length && line[end] != '"') {
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
        while (j < length && line[j] >= '0' && line[j] <= '9') {
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

  /** Reads lines (with their newline) into a growing buffer. */
  private static final class LineReader {
    private final InputStream in;
    private byte[] line = new byte[64 * 1024];

    LineReader(InputStream in) {
      this.in = in;
    }

    byte[] line() {
      return line;
    }

    /** Reads the next line into {@link #line()}; its length with the newline, or -1 at the end. */
    int next() throws IOException {
      int n = 0;
      int b;
      while ((b = in.read()) >= 0) {
        if (n == line.length) {
          line = java.util.Arrays.copyOf(line, n * 2);
        }
        line[n++] = (byte) b;
        if (b == '\n') {
          return n;
        }
      }
      if (n == 0) {
        return -1;
      }
      if (n == line.length) {
        line = java.util.Arrays.copyOf(line, n + 1);
      }
      line[n++] = '\n';
      return n;
    }
  }
}
