package dev.gatehouse;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The package rules of DESIGN.md, stated as code: the build fails when the code drifts from them. */
class ArchitectureTest {
    private static final String[] FEATURES = {
        "dev.gatehouse.auth..",
        "dev.gatehouse.ratelimit..",
        "dev.gatehouse.compression..",
        "dev.gatehouse.idempotency..",
        "dev.gatehouse.logging..",
        "dev.gatehouse.requestid..",
        "dev.gatehouse.cors..",
        "dev.gatehouse.headers..",
        "dev.gatehouse.ipfilter..",
        "dev.gatehouse.webhook..",
        "dev.gatehouse.cache.."
    };
    private static final String[] INTEGRATIONS = {
        "dev.gatehouse.redis..", "dev.gatehouse.jdbc..", "dev.gatehouse.bucket4j..", "dev.gatehouse.metrics.."
    };
    private static final String[] VENDORS = {
        "io.github.bucket4j..",
        "com.github.benmanes.caffeine..",
        "com.auth0..",
        "io.lettuce..",
        "com.fasterxml.jackson.."
    };

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gatehouse");

    @Test
    void noFeatureDependsOnAnother() {
        for (String feature : FEATURES) {
            String[] others = Arrays.stream(FEATURES)
                    .filter(other -> !other.equals(feature))
                    .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAPackage(feature)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others)
                    .because("features meet only through the model (dev.gatehouse)")
                    .check(CORE);
        }
    }

    @Test
    void featuresImportNeitherIntegrationsNorTheHostSpi() {
        noClasses()
                .that()
                .resideInAnyPackage(FEATURES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(concat(INTEGRATIONS, "dev.gatehouse.host.."))
                .check(CORE);
    }

    @Test
    void theModelKnowsNoFeatureIntegrationOrHost() {
        noClasses()
                .that()
                .resideInAPackage("dev.gatehouse")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(concat(concat(FEATURES, INTEGRATIONS), "dev.gatehouse.host.."))
                .check(CORE);
    }

    @Test
    void metricsLearnsAboutPoliciesOnlyThroughTheModel() {
        noClasses()
                .that()
                .resideInAPackage("dev.gatehouse.metrics..")
                .should()
                .dependOnClassesThat()
                .implement(OffloadPolicy.class)
                .check(CORE);
    }

    @Test
    void coreUsesNoServletJaxRsOrJettyType() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("jakarta..", "javax.servlet..", "javax.ws.rs..", "org.eclipse.jetty..")
                .check(CORE);
    }

    @Test
    void publicSignaturesOfExportedPackagesCarryNoVendorType() {
        classes()
                .that()
                .arePublic()
                .and()
                .resideOutsideOfPackage("dev.gatehouse.internal..")
                // The one exception: the integration whose purpose is to take the user's bucket4j ProxyManager.
                .and()
                .resideOutsideOfPackage("dev.gatehouse.bucket4j..")
                .should(exposeNoVendorType())
                .check(CORE);
    }

    /** Public and protected members of a public class name no vendor type, generics included. */
    private static ArchCondition<JavaClass> exposeNoVendorType() {
        return new ArchCondition<>("expose no vendor type in a public signature") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                Set<JavaMember> members = new LinkedHashSet<>();
                members.addAll(type.getCodeUnits());
                members.addAll(type.getFields());
                for (JavaMember member : members) {
                    if (!(member.getModifiers().contains(JavaModifier.PUBLIC)
                            || member.getModifiers().contains(JavaModifier.PROTECTED))) {
                        continue;
                    }
                    Set<JavaClass> involved = new LinkedHashSet<>();
                    if (member instanceof JavaCodeUnit unit) {
                        unit.getParameterTypes().forEach(t -> involved.addAll(t.getAllInvolvedRawTypes()));
                        involved.addAll(unit.getReturnType().getAllInvolvedRawTypes());
                    } else if (member instanceof JavaField field) {
                        involved.addAll(field.getType().getAllInvolvedRawTypes());
                    }
                    for (JavaClass used : involved) {
                        if (inPackages(VENDORS).test(used)) {
                            events.add(SimpleConditionEvent.violated(
                                    member, member.getFullName() + " exposes " + used.getName()));
                        }
                    }
                }
            }
        };
    }

    private static DescribedPredicate<JavaClass> inPackages(String... packages) {
        return JavaClass.Predicates.resideInAnyPackage(packages);
    }

    private static String[] concat(String[] first, String... second) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(second));
        return all.toArray(String[]::new);
    }
}
