package io.rollguard.ruletest;

import io.rollguard.config.Position;
import io.rollguard.window.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A rule test file as read: the rule files (and optionally a {@code rollguard.yaml} for receivers
 * and routes) under test, and test cases, each with input series, stage changes and expectations at
 * given times. Times are milliseconds after the start of a case. Immutable.
 */
public record RuleTest(
    String file, List<Path> ruleFiles, Path config, Duration evaluationInterval, List<Case> cases) {

  /** One test case. {@code interval} is the length of one step of the input series. */
  public record Case(
      String name,
      Position position,
      Duration interval,
      List<Input> inputs,
      List<StageChange> stages,
      List<Expectation> expectations) {

    /** How many steps the longest input has. */
    public int steps() {
      return inputs.stream().mapToInt(Input::steps).max().orElse(0);
    }
  }

  /** An input series, one value per step. */
  public sealed interface Input {
    Labels labels();

    int steps();
  }

  /**
   * {@code perStep} requests per step, each with the step's latency (ms), {@code errorShare} of
   * them failed.
   */
  /**
   * Requests: {@code perStep} a step at {@code latencyMillis} (spread evenly in log scale from the
   * value / (1 + {@code spread}) to the value x (1 + {@code spread}); all at the value with spread
   * 0), a share {@code errorShare} of them failed.
   */
  public record Requests(
      Labels labels, int perStep, double[] latencyMillis, double[] errorShare, double spread)
      implements Input {
    @Override
    public int steps() {
      return latencyMillis.length;
    }
  }

  /** One gauge point per step. */
  public record Gauge(Labels labels, String name, double[] values) implements Input {
    @Override
    public int steps() {
      return values.length;
    }
  }

  /** One health-check result per step (1 ok, 0 failed). */
  public record Check(Labels labels, String name, double[] results) implements Input {
    @Override
    public int steps() {
      return results.length;
    }
  }

  /** The deployer sets a rollout's stage. */
  public record StageChange(long atMillis, String rollout, String stage) {}

  /**
   * What must hold at {@code atMillis}; {@code notifications} (null: not checked) are those sent
   * since the previous expectation of the case.
   */
  public record Expectation(
      long atMillis,
      Position position,
      List<AlertExpectation> alerts,
      Map<String, Map<String, String>> rollouts,
      Map<String, Map<String, String>> slos,
      List<NotificationExpectation> notifications) {}

  /**
   * A rule's state ({@code inactive}, {@code pending}, {@code firing}); {@code labels} (null: any
   * instance, the most severe state counts) picks the instance whose labels include them.
   */
  public record AlertExpectation(String rule, Map<String, String> labels, String state) {}

  /** A notification: receiver, event, and payload fields by dotted path. */
  public record NotificationExpectation(
      String receiver, String event, Map<String, String> payload) {}
}
