package io.rollguard.cli;

import io.rollguard.config.RollguardConfig;
import io.rollguard.rules.RuleFiles;
import io.rollguard.rules.RuleLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rollguard check PATH...}: validates rule files and directories (their {@code *.yaml} and
 * {@code *.yml}), printing every problem as {@code file:line:column: message}. Exit code 0 only
 * when everything is valid, so CI can gate on it.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Validate rule files; exit 1 and print file:line:column for every problem.")
final class CheckCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "rule files or directories")
  List<Path> paths;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "rollguard.yaml: also check receivers and max_window against it")
  Path config;

  @Override
  public Integer call() throws IOException {
    RollguardConfig settings = CommandInputs.config(config);
    if (settings == null) {
      return 1;
    }
    for (Path path : paths) {
      if (!Files.exists(path)) {
        System.out.println(path + ":1:1: no such file or directory");
        return 1;
      }
    }
    int files = RuleFiles.find(paths).size();
    RuleLoader.Result result = CommandInputs.rules(paths, settings, config != null);
    result.warnings().forEach(w -> System.out.println("warning: " + w));
    if (!result.valid()) {
      System.out.print(result.problems().format());
      System.out.println(result.problems().size() + " problem(s) in " + files + " file(s)");
      return 1;
    }
    System.out.println(result.summary() + " in " + files + " file(s): OK");
    return 0;
  }
}
