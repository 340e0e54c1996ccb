package io.rollguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/** Rule files as the engines' tests write them: one YAML text that must load without problems. */
public final class ValidRuleFile {

  private ValidRuleFile() {}

  /** {@code yaml} loaded as one rule file (1 h max window, receivers unchecked). */
  public static RuleLoader.Result load(String yaml) {
    RuleLoader.Result result =
        RuleLoader.load(List.of(new RuleLoader.Source("r.yaml", yaml)), Duration.ofHours(1), null);
    assertThat(result.problems().list()).isEmpty();
    return result;
  }
}
