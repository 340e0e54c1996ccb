package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollguard.clock.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** {@code rollout wait} on virtual time, over a script of what the server answers. */
class RolloutWaiterTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ManualClock clock = new ManualClock(1_764_600_000_000L);
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final RolloutWaiter waiter =
      new RolloutWaiter(
          clock,
          millis -> clock.advance(Duration.ofMillis(millis)),
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

  /** Answers in turn; an answer of null is the server being away. The last one repeats. */
  private static final class Script implements RolloutWaiter.Source {
    final Deque<Object> answers = new ArrayDeque<>();
    int reads;

    Script then(Object answer) {
      answers.add(answer == null ? "away" : answer);
      return this;
    }

    @Override
    public JsonNode verdict() throws RolloutClient.Unreachable, RolloutClient.Refused {
      reads++;
      Object a = answers.size() > 1 ? answers.poll() : answers.peek();
      if ("away".equals(a)) {
        throw new RolloutClient.Unreachable("http://x is unreachable: Connection refused");
      }
      if (a instanceof RolloutClient.Refused r) {
        throw r;
      }
      return (JsonNode) a;
    }
  }

  private static JsonNode verdict(String verdict, Boolean p95Holds, String rollbackState) {
    var v = MAPPER.createObjectNode().put("rollout", "checkout").put("verdict", verdict);
    v.putArray("reasons").add("because " + verdict);
    v.putObject("stage").put("name", "canary").put("traffic", 0.1);
    v.put("next_stage", "half").put("attempt", 1);
    var p = v.putArray("promote_when").addObject().put("expr", "p95 < 200ms");
    if (p95Holds == null) {
      p.putNull("holds").put("no_data", true);
    } else {
      p.put("holds", p95Holds).put("no_data", false).put("value_text", "183ms");
    }
    v.putArray("rollback_when")
        .addObject()
        .put("expr", "error_rate > 5%")
        .put("holds", !rollbackState.equals("inactive"))
        .put("no_data", false)
        .put("value_text", "0.4%")
        .put("state", rollbackState);
    return v;
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsTheCriteriaAsTheyChangeAndExitsZeroOnPromote() throws Exception {
    Script s =
        new Script()
            .then(verdict("hold", null, "inactive"))
            .then(verdict("hold", null, "inactive"))
            .then(verdict("hold", true, "inactive"))
            .then(verdict("promote", true, "inactive"));
    int code =
        waiter.await(s, Duration.ofMinutes(30), Duration.ofSeconds(2), Duration.ofMinutes(1));
    assertThat(code).isEqualTo(RolloutWaiter.PROMOTE);
    assertThat(s.reads).isEqualTo(4);
    assertThat(out())
        .startsWith("checkout: HOLD at stage canary (10% traffic, attempt 1); next stage half\n")
        .contains("    [no data] p95 < 200ms\n")
        .contains("14:40:04 promote p95 < 200ms: no data -> holds  (183ms)\n")
        .contains("14:40:06 verdict hold -> promote\n")
        .contains("14:40:06 verdict promote: because promote\n");
    // what did not change is said once, at the start
    assertThat(out().split("error_rate > 5%", -1)).hasSize(2);
  }

  @Test
  void exitsOneOnRollbackAndSaysTheCriterionFiring() throws Exception {
    Script s =
        new Script()
            .then(verdict("hold", true, "inactive"))
            .then(verdict("hold", true, "pending"))
            .then(verdict("rollback", true, "firing"));
    assertThat(waiter.await(s, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofMinutes(1)))
        .isEqualTo(RolloutWaiter.ROLLBACK);
    assertThat(out())
        .contains("rollback error_rate > 5%: fails -> pending  (0.4%)")
        .contains("rollback error_rate > 5%: pending -> firing  (0.4%)")
        .contains("verdict rollback: because rollback");
  }

  @Test
  void aVerdictThatStillHoldsAtTheTimeoutExitsTwo() throws Exception {
    Script s = new Script().then(verdict("hold", null, "inactive"));
    long started = clock.monotonicTimeNanos();
    assertThat(
            waiter.await(s, Duration.ofSeconds(30), Duration.ofSeconds(4), Duration.ofMinutes(1)))
        .isEqualTo(RolloutWaiter.UNDECIDED);
    assertThat(clock.monotonicTimeNanos() - started).isEqualTo(Duration.ofSeconds(30).toNanos());
    assertThat(s.reads).isEqualTo(9); // at 0, 4, ..., 28 and the deadline itself
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("no verdict within 30s; still hold: because hold");
  }

  @Test
  void aServerAwayForLessThanTheGraceIsWaitedFor() throws Exception {
    Script s =
        new Script()
            .then(verdict("hold", true, "inactive"))
            .then(null)
            .then(null)
            .then(null)
            .then(verdict("promote", true, "inactive"));
    assertThat(
            waiter.await(s, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(1)))
        .isEqualTo(RolloutWaiter.PROMOTE);
    assertThat(out()).contains("Connection refused; retrying for 1m").contains("reachable again");
  }

  @Test
  void aServerAwayLongerThanTheGraceExitsThree() throws Exception {
    Script s = new Script().then(verdict("hold", true, "inactive")).then(null);
    assertThat(
            waiter.await(s, Duration.ofMinutes(30), Duration.ofSeconds(10), Duration.ofSeconds(30)))
        .isEqualTo(RolloutWaiter.UNREACHABLE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("gave up: unreachable for 30s");
    assertThat(s.reads).isEqualTo(5); // the first answer, then away at 10, 20, 30 and 40 s
  }

  @Test
  void aServerNeverReachedOrARefusalEndsAtOnce() throws Exception {
    assertThat(
            waiter.await(
                new Script().then(null),
                Duration.ofMinutes(30),
                Duration.ofSeconds(2),
                Duration.ofMinutes(1)))
        .isEqualTo(RolloutWaiter.UNREACHABLE);
    Script unknown =
        new Script().then(new RolloutClient.Refused("unknown rollout 'nope' (HTTP 404)"));
    assertThat(waiter.await(unknown, Duration.ofMinutes(30), Duration.ofSeconds(2), Duration.ZERO))
        .isEqualTo(RolloutWaiter.REFUSED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown rollout 'nope' (HTTP 404)");
  }

  @Test
  void trafficSharesPrintAsTheyAreWritten() {
    var v = (com.fasterxml.jackson.databind.node.ObjectNode) verdict("hold", true, "inactive");
    ((com.fasterxml.jackson.databind.node.ObjectNode) v.path("stage")).put("traffic", 0.07);
    assertThat(VerdictText.status(v).get(0)).contains("(7% traffic"); // not 7.000000000000001%
    ((com.fasterxml.jackson.databind.node.ObjectNode) v.path("stage")).put("traffic", 0.125);
    assertThat(VerdictText.status(v).get(0)).contains("(12.5% traffic");
  }
}
