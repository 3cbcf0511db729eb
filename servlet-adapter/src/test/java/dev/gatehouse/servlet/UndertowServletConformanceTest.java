package dev.gatehouse.servlet;

import dev.gatehouse.testing.conformance.ConformanceHost;
import dev.gatehouse.testing.conformance.ConformanceSuite;

class UndertowServletConformanceTest extends ConformanceSuite {
    @Override
    protected ConformanceHost host() {
        return new UndertowServletHost(FilterSetup.REGISTER);
    }
}
