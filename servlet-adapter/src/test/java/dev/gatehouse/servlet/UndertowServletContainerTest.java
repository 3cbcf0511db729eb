package dev.gatehouse.servlet;

class UndertowServletContainerTest extends ServletContainerCases {
    @Override
    ServletHost host(FilterSetup filter) {
        return new UndertowServletHost(filter);
    }

    /** Undertow's filters are not async-supported unless declared so. */
    @Override
    boolean asyncWorksBehind(FilterSetup filter) {
        return false;
    }

    /** Undertow holds a response whose stated length is written until the servlet returns. */
    @Override
    boolean commitsAtStatedLength() {
        return false;
    }
}
