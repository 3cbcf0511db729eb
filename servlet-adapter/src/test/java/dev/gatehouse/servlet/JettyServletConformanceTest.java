package dev.gatehouse.servlet;

import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceSuite;

class JettyServletConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new JettyServletHost(FilterSetup.NATIVE);
    }
}
