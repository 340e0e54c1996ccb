package io.rollguard.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import org.junit.jupiter.api.Test;

/** The dependency arrows STYLE.md asks for, held by a test. */
class ArchitectureTest {

  /** The packages that must import neither Vert.x nor Micrometer nor any shell package. */
  private static final String[] PURE_CORE = {
    "io.rollguard.window..",
    "io.rollguard.rules..",
    "io.rollguard.alerting..",
    "io.rollguard.rollout..",
    "io.rollguard.slo..",
    "io.rollguard.evaluation..",
    "io.rollguard.history..",
    "io.rollguard.report..",
    "io.rollguard.cluster..",
    "io.rollguard.clock..",
    "io.rollguard.config.."
  };

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.rollguard");

  private static final JavaClasses TESTS =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
          .importPackages("io.rollguard");

  @Test
  void thePureCoreImportsNeitherVertxNorMicrometer() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(PURE_CORE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.vertx..", "io.micrometer..", "io.netty..");
    rule.check(MAIN);
  }

  @Test
  void thePureCoreDependsOnNoShellPackage() {
    noClasses()
        .that()
        .resideInAnyPackage(PURE_CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.rollguard.ingest..",
            "io.rollguard.api..",
            "io.rollguard.metrics..",
            "io.rollguard.server..",
            "io.rollguard.cli..")
        .check(MAIN);
  }

  @Test
  void ruleTestsAndReplaysNeedNoNetworkAndNoServer() {
    noClasses()
        .that()
        .resideInAnyPackage("io.rollguard.ruletest..", "io.rollguard.replay..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..", "io.netty..", "io.rollguard.server..", "io.rollguard.api..")
        .check(MAIN);
  }

  @Test
  void nothingDependsOnTheCompositionRootButTheCommandLine() {
    classes()
        .that()
        .resideInAPackage("io.rollguard.server..")
        .should()
        .onlyHaveDependentClassesThat()
        .resideInAnyPackage("io.rollguard.server..", "io.rollguard.cli..")
        .check(MAIN);
  }

  @Test
  void noPackagesDependOnEachOtherInACycle() {
    slices().matching("io.rollguard.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void onlyTheCommandLineWritesToStandardStreams() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.rollguard.cli..")
        .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
        .check(MAIN);
  }

  @Test
  void onlyTheSystemClockReadsTheOsClock() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName("io.rollguard.clock.SystemClock")
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .check(MAIN);
  }

  @Test
  void testsNeverSleep() {
    noClasses().should().callMethod(Thread.class, "sleep", long.class).check(TESTS);
  }
}
