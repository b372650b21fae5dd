package io.kieworker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of README "Design / packages", checked on the compiled classes. */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.kieworker");
  }

  /** kie-worker.jar is shaded without io.kieworker.tools and without the broker: nothing may need them. */
  @Test
  void productionCodeNeverUsesTheToolsOrTheBroker() {
    noClasses().that().resideOutsideOfPackage("io.kieworker.tools..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kieworker.tools..", "kafka..", "scala..",
            "org.apache.kafka.server..", "org.apache.kafka.raft..", "org.apache.kafka.metadata..",
            "org.apache.zookeeper..")
        .check(classes);
  }

  /** Packages form layers: no two depend on each other, however indirectly. */
  @Test
  void noCyclesBetweenPackages() {
    slices().matching("io.kieworker.(*)..").should().beFreeOfCycles().check(classes);
  }

  /** The pieces the worker is made of never reach back into it (it wires them, not the reverse). */
  @Test
  void onlyTheWiringKnowsTheWorker() {
    noClasses().that().resideOutsideOfPackages("io.kieworker.worker..", "io.kieworker.cli..", "io.kieworker.tools..")
        .should().dependOnClassesThat().resideInAPackage("io.kieworker.worker..")
        .check(classes);
  }

  /** The callback package owns the route, tokens, URLs, parsing and signatures; HTTP only mounts it. */
  @Test
  void callbackCodeLivesInTheCallbackPackage() {
    noClasses().that().resideInAPackage("io.kieworker.callback..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kieworker.http..", "io.kieworker.worker..")
        .check(classes);
  }

  /**
   * The simulator is a stand-in for Kie.ai: it shares the model registry and Kie.ai's own signature
   * scheme (callback.WebhookSignature), never the worker's code.
   */
  @Test
  void theSimulatorIsIndependentOfTheWorker() {
    noClasses().that().resideInAPackage("io.kieworker.sim..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kieworker.worker..", "io.kieworker.kafka..",
            "io.kieworker.ledger..", "io.kieworker.http..")
        .check(classes);
  }
}
