package dev.gatehouse.jaxrs.resteasy;

import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceSuite;

class RestEasyConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new RestEasyHost();
    }
}
