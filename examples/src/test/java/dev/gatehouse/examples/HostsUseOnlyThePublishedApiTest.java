package dev.gatehouse.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Outside core — the adapters and the example gateway, which see every Gatehouse jar from here — nothing uses
 * core's {@code internal} package: hosts get by with the model and the host SPI, as any third-party host must.
 */
class HostsUseOnlyThePublishedApiTest {
    private static final JavaClasses ALL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse");

    @Test
    void nothingOutsideCoreUsesItsInternalPackage() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.gatehouse.servlet..",
                        "dev.gatehouse.jaxrs..",
                        "dev.gatehouse.jetty..",
                        "dev.gatehouse.examples..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.gatehouse.internal..")
                .check(ALL);
    }
}
