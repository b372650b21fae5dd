package io.kieworker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

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
}
