package dev.gatehouse.servlet;

import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceSuite;
import org.junit.jupiter.api.Tag;

@Tag("tomcat")
class TomcatServletConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new TomcatServletHost(FilterSetup.REGISTER);
    }
}
