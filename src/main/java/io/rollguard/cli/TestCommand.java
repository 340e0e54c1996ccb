package io.rollguard.cli;

import io.rollguard.config.Problems;
import io.rollguard.config.RollguardConfig;
import io.rollguard.rules.RuleFiles;
import io.rollguard.rules.RuleLoader;
import io.rollguard.ruletest.RuleTest;
import io.rollguard.ruletest.RuleTestReader;
import io.rollguard.ruletest.RuleTestRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code rollguard test PATH...}: runs rule unit tests (files, or the {@code *_test.yaml} files of
 * directories) on virtual time, printing each case's outcome and, for failures, what was expected
 * and what happened, with the time. Exit code 0 only when every case passes.
 */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = "Run rule unit tests on virtual time; exit 1 if any fails.")
final class TestCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "test files or directories")
  List<Path> paths;

  /** Files named as such, and the {@code *_test.yaml} / {@code *_test.yml} of directories. */
  private List<Path> testFiles() throws IOException {
    List<Path> files = new java.util.ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        RuleFiles.find(List.of(path)).stream()
            .filter(p -> p.getFileName().toString().matches(".*_test\\.ya?ml"))
            .forEach(files::add);
      } else {
        files.add(path);
      }
    }
    return files;
  }

  @Override
  public Integer call() throws IOException {
    int cases = 0;
    int failed = 0;
    for (Path path : paths) {
      if (!Files.exists(path)) {
        System.out.println(path + ":1:1: no such file or directory");
        return 1;
      }
    }
    for (Path file : testFiles()) {
      System.out.println(file);
      Problems problems = new Problems();
      RuleTest test = RuleTestReader.read(file, Files.readString(file), problems);
      RollguardConfig config = CommandInputs.config(test == null ? null : test.config());
      if (config == null) {
        return 1;
      }
      RuleLoader.Result rules =
          test == null
              ? null
              : CommandInputs.rules(test.ruleFiles(), config, test.config() != null);
      if (test == null || !rules.valid()) {
        System.out.print((test == null ? problems : rules.problems()).format());
        return 1;
      }
      cases += test.cases().size();
      List<RuleTestRunner.Failure> failures = RuleTestRunner.run(test, rules, config);
      for (RuleTest.Case c : test.cases()) {
        RuleTestRunner.Failure f =
            failures.stream().filter(x -> x.testName().equals(c.name())).findFirst().orElse(null);
        System.out.println((f == null ? "  PASS  " : "  FAIL  ") + c.name());
        if (f != null) {
          f.mismatches().forEach(m -> System.out.println("        " + m));
        }
      }
      failed += failures.size();
    }
    System.out.println(cases + " test(s), " + (failed == 0 ? "all passed" : failed + " failed"));
    return failed == 0 ? 0 : 1;
  }
}
