package io.rollguard.cli;

import io.rollguard.config.ConfigLoader;
import io.rollguard.config.RollguardConfig;
import io.rollguard.rules.ClusterPinning;
import io.rollguard.rules.RuleFiles;
import io.rollguard.rules.RuleLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** What the offline commands (check, test, replay) read: a configuration and rule files. */
final class CommandInputs {

  private CommandInputs() {}

  /**
   * The configuration in {@code file}, or the embedded defaults without one; null (its problems
   * printed) when the file has errors.
   */
  static RollguardConfig config(Path file) throws IOException {
    if (file == null) {
      return RollguardConfig.defaults();
    }
    try {
      return ConfigLoader.load(file, System::getenv);
    } catch (ConfigLoader.InvalidConfigException e) {
      System.out.print(e.getMessage());
      return null;
    }
  }

  /**
   * The rule files under {@code paths}, checked against {@code config}'s {@code max_window}, when
   * {@code checkReceivers} its receivers, and with {@code cluster:} set, that each definition
   * selects one value of the key label.
   */
  static RuleLoader.Result rules(List<Path> paths, RollguardConfig config, boolean checkReceivers)
      throws IOException {
    RuleLoader.Result result =
        RuleLoader.load(
            RuleFiles.read(RuleFiles.find(paths)),
            config.limits().maxWindow(),
            checkReceivers ? config.receivers().keySet() : null);
    if (config.cluster() != null) {
      ClusterPinning.check(result, config.cluster().keyLabel(), result.problems());
    }
    return result;
  }
}
