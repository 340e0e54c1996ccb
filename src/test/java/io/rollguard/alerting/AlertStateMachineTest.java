package io.rollguard.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.rules.Truth;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven lifecycle tests. Each case is a rule's timing and a sequence of evaluations, one a
 * second from t=0 ("T" true, "F" false, "N" no data), and the transitions expected at their seconds
 * ("12:firing" = the instance fired at t=12s).
 */
class AlertStateMachineTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // for 0, consecutive 1: the first true evaluation fires at once; the first false resolves.
        Arguments.of(
            "fires at once", new Timing(0, 1, 0), "FFTTTF", List.of("2:firing", "5:inactive")),
        // for 5s: pending at the first true, firing once 5 s have passed.
        Arguments.of(
            "for reached", new Timing(5_000, 1, 0), "TTTTTTT", List.of("0:pending", "5:firing")),
        // for 5s, broken at t=3s by a false evaluation: back to inactive, and the clock starts
        // over.
        Arguments.of(
            "pending cancelled",
            new Timing(5_000, 1, 0),
            "TTTFTTTTTT",
            List.of("0:pending", "3:inactive", "4:pending", "9:firing")),
        // No data in pending is not a violation either.
        Arguments.of(
            "no data cancels pending",
            new Timing(5_000, 1, 0),
            "TTNTT",
            List.of("0:pending", "2:inactive", "3:pending")),
        // consecutive 3 without for: fires on the third true in a row.
        Arguments.of(
            "consecutive count",
            new Timing(0, 3, 0),
            "TTFTTT",
            List.of("0:pending", "2:inactive", "3:pending", "5:firing")),
        // for and consecutive together: both must hold.
        Arguments.of(
            "for and consecutive",
            new Timing(2_000, 4, 0),
            "TTTTT",
            List.of("0:pending", "3:firing")),
        // keep_firing_for 3s: false evaluations within 3 s of the last true one do not resolve.
        Arguments.of(
            "keep firing for",
            new Timing(0, 1, 3_000),
            "TFFTFFFF",
            List.of("0:firing", "6:inactive")),
        // No data while firing counts as not violating, and resolves like false.
        Arguments.of(
            "no data resolves", new Timing(0, 1, 0), "TTN", List.of("0:firing", "2:inactive")),
        // Two episodes are two incidents.
        Arguments.of(
            "fires again",
            new Timing(0, 1, 0),
            "TFT",
            List.of("0:firing", "1:inactive", "2:firing")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void transitionsHappenWhenTheRuleSays(
      String name, Timing timing, String outcomes, List<String> expected) {
    InstanceState state = InstanceState.INACTIVE;
    List<String> transitions = new ArrayList<>();
    List<String> incidents = new ArrayList<>();
    for (int second = 0; second < outcomes.length(); second++) {
      long now = second * 1_000L;
      Truth truth =
          switch (outcomes.charAt(second)) {
            case 'T' -> Truth.TRUE;
            case 'F' -> Truth.FALSE;
            default -> Truth.NO_DATA;
          };
      AlertStateMachine.Step step =
          AlertStateMachine.step(state, truth, now, timing, firedAt -> "incident-" + firedAt);
      if (step.transition() != null) {
        transitions.add(second + ":" + step.transition().wireName());
      }
      if (step.transition() == Phase.FIRING) {
        incidents.add(step.state().incidentId());
      }
      state = step.state();
    }
    assertThat(transitions).containsExactlyElementsOf(expected);
    assertThat(incidents).doesNotHaveDuplicates();
  }
}
