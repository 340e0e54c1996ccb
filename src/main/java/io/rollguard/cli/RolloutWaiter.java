package io.rollguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollguard.clock.Clock;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * {@code rollguard rollout wait}: reads the verdict every {@code interval} until it is promote
 * (exit {@value #PROMOTE}) or rollback ({@value #ROLLBACK}), printing the verdict, the stage and
 * every criterion whenever one of them changes. At the deadline it stops with {@value #UNDECIDED}
 * (the verdict still holds). A server that cannot be reached is retried until it has been away for
 * {@code unreachableFor} (a restart or a blip does not fail a deploy), then {@value #UNREACHABLE};
 * one never reached at all fails at once. Time and pauses are injected. Not thread-safe.
 */
final class RolloutWaiter {

  static final int PROMOTE = 0;
  static final int ROLLBACK = 1;
  static final int UNDECIDED = 2;
  static final int UNREACHABLE = 3;
  static final int REFUSED = 4;

  /** One read of the verdict. */
  interface Source {
    JsonNode verdict()
        throws RolloutClient.Unreachable, RolloutClient.Refused, InterruptedException;
  }

  /** Waits; a test advances its clock instead. */
  interface Pause {
    void sleep(long millis) throws InterruptedException;
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final Clock clock;
  private final Pause pause;
  private final PrintStream out;
  private final PrintStream err;

  RolloutWaiter(Clock clock, Pause pause, PrintStream out, PrintStream err) {
    this.clock = clock;
    this.pause = pause;
    this.out = out;
    this.err = err;
  }

  int await(Source source, Duration timeout, Duration interval, Duration unreachableFor)
      throws InterruptedException {
    long start = clock.monotonicTimeNanos();
    long deadline = start + timeout.toNanos();
    Map<String, String> seen = null;
    JsonNode last = null;
    long awaySince = -1;
    while (true) {
      JsonNode v;
      try {
        v = source.verdict();
        if (awaySince >= 0) {
          say("reachable again");
        }
        awaySince = -1;
      } catch (RolloutClient.Refused e) {
        err.println("rollguard: " + e.getMessage());
        return REFUSED;
      } catch (RolloutClient.Unreachable e) {
        long now = clock.monotonicTimeNanos();
        if (last == null) {
          err.println("rollguard: " + e.getMessage());
          return UNREACHABLE;
        }
        if (awaySince < 0) {
          awaySince = now;
          say(e.getMessage() + "; retrying for " + format(unreachableFor));
        } else if (now - awaySince >= unreachableFor.toNanos()) {
          err.println(
              "rollguard: gave up: unreachable for "
                  + format(unreachableFor)
                  + ": "
                  + e.getMessage());
          return UNREACHABLE;
        }
        v = null;
      }
      if (v != null) {
        last = v;
        Map<String, String> facts = VerdictText.facts(v);
        if (seen == null) {
          VerdictText.status(v).forEach(out::println);
        } else {
          for (var f : facts.entrySet()) {
            String before = seen.get(f.getKey());
            if (!f.getValue().equals(before)) {
              say(VerdictText.change(v, f.getKey(), before, f.getValue()));
            }
          }
        }
        seen = facts;
        String verdict = v.path("verdict").asText();
        if (verdict.equals("promote")) {
          say("verdict promote: " + String.join("; ", reasons(v)));
          return PROMOTE;
        }
        if (verdict.equals("rollback")) {
          say("verdict rollback: " + String.join("; ", reasons(v)));
          return ROLLBACK;
        }
      }
      long left = deadline - clock.monotonicTimeNanos();
      if (left <= 0) {
        err.println(
            "rollguard: no verdict within "
                + format(timeout)
                + (last == null
                    ? ""
                    : "; still "
                        + last.path("verdict").asText()
                        + ": "
                        + String.join("; ", reasons(last))));
        return UNDECIDED;
      }
      pause.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
    }
  }

  private void say(String line) {
    out.println(TIME.format(Instant.ofEpochMilli(clock.wallTimeMillis())) + " " + line);
  }

  private static java.util.List<String> reasons(JsonNode v) {
    java.util.List<String> reasons = new java.util.ArrayList<>();
    v.path("reasons").forEach(r -> reasons.add(r.asText()));
    return reasons;
  }

  private static String format(Duration d) {
    return io.rollguard.config.Durations.format(d);
  }
}
