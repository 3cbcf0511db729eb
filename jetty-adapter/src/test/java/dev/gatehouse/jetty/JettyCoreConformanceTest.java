package dev.gatehouse.jetty;

import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceSuite;

class JettyCoreConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new JettyCoreHost();
    }
}
