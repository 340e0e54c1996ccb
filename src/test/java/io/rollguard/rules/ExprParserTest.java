package io.rollguard.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExprParserTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "error_rate > 1%",
        "p95 > 500ms",
        "p99 > 1000ms",
        "consecutive_failures(\"health\") >= 5",
        "p95 > 1.10 * baseline(p95)",
        "gauge(\"test_pass_rate\") >= 98%",
        "gauge_avg('fallback_rate') < 0.05 and gauge_min(\"queue\") >= 0",
        "request_rate < 1",
        "p95 < 200ms and error_rate < 0.1%",
        "not (p95 > 500ms) or count == 0",
        "quantile(0.975) > 1s",
        "errors - 5 > -3",
        "check_failure_rate(\"db\") > 20% or success_rate < 99.9%",
        "mean / p50 > 2",
        "max - min >= 1h",
        "error_rate > 2 * baseline(error_rate) and count > 100"
      })
  void theSpecsExamplesAndMoreParseAsConditions(String text) throws ExprException {
    assertThat(ExprParser.parseCondition(text)).isNotNull();
  }

  @ParameterizedTest
  @CsvSource({
    "500ms, 500",
    "1s, 1000",
    "5m, 300000",
    "1h, 3600000",
    "1%, 0.01",
    "99.9%, 0.999",
    "0.5, 0.5"
  })
  void literalsAreInBaseUnits(String text, double expected) throws ExprException {
    Expr.Literal literal = (Expr.Literal) ExprParser.parse(text);
    assertThat(literal.value()).isCloseTo(expected, within(1e-12));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "p95 > 1%                      | 5  | cannot compare a duration (p95) with a ratio (1%)",
        "error_rate > 500ms            | 12 | cannot compare a ratio (error_rate) with a duration (500ms)",
        "p95 > 5min                    | 8  | unknown unit 'min' (use ms, s, m, h or %)",
        "p95x > 1s                     | 1  | unknown name 'p95x' (did you mean 'p95'?)",
        "p95 >                         | 6  | the expression ends where a value is expected",
        "(p95 > 1s                     | 10 | expected ')' to close the '(' at column 1, got the end",
        "p95                           | 1  | a 'when' must be a condition such as p95 > 500ms, not a duration",
        "p95 > 1s > 2s                 | 10 | comparisons do not chain; join them with 'and'",
        "gauge(test) > 1               | 7  | gauge(...) takes a quoted name, such as gauge(\"db\")",
        "quantile(2) > 1s              | 10 | quantile(q) takes a number between 0 and 1, such as 0.975",
        "p95 = 1s                      | 5  | '=' is not an operator; compare with '=='",
        "p95 * p99 > 1s                | 5  | cannot multiply two durations",
        "count and p95 > 1s            | 1  | 'and' joins conditions such as p95 > 500ms, not a number",
        "baseline(baseline(p95)) > 1s  | 1  | baseline(...) cannot be nested",
        "p95 + error_rate > 1          | 5  | cannot add a duration and a ratio",
        "p95 > 500ms ms                | 13 | unexpected 'ms' after a complete expression",
        "p95 > 1s # comment            | 10 | unexpected character '#'"
      })
  void mistakesAreReportedAtTheirColumn(String text, int column, String message) {
    assertThatThrownBy(() -> ExprParser.parseCondition(text.strip()))
        .isInstanceOfSatisfying(
            ExprException.class,
            e -> {
              assertThat(e.getMessage()).isEqualTo(message);
              assertThat(e.column()).isEqualTo(column);
            });
  }
}
