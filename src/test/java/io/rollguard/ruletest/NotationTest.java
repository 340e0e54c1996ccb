package io.rollguard.ruletest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NotationTest {

  @Test
  void runsOfValuesJoinedByThen() {
    assertThat(Notation.parse("100ms x 2 then 1.5s then 2m x 1"))
        .containsExactly(100, 100, 1_500, 120_000);
    assertThat(Notation.parse("5% x 2 then 0.99")).containsExactly(0.05, 0.05, 0.99);
    assertThat(Notation.parse("ok x 2 then fail")).containsExactly(1, 1, 0);
    assertThat(Notation.parse("_ x 2 then 3")).hasSize(3).endsWith(3);
    assertThat(Notation.parse("_")[0]).isNaN();
  }

  @Test
  void mistakesSayWhatWasExpected() {
    assertThatThrownBy(() -> Notation.parse("100ms x 2 and 3"))
        .hasMessage("expected runs such as '100ms x 60 then 900ms x 120', got '100ms x 2 and 3'");
    assertThatThrownBy(() -> Notation.parse("fast x 2"))
        .hasMessage(
            "'fast' is not a value (a duration such as 250ms, a percentage, a number, ok, fail"
                + " or _)");
  }
}
