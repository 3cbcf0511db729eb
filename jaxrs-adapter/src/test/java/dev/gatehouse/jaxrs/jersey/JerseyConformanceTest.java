package dev.gatehouse.jaxrs.jersey;

import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceSuite;

class JerseyConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new JerseyHost();
    }
}
