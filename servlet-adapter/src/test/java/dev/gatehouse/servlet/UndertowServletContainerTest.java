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
}
