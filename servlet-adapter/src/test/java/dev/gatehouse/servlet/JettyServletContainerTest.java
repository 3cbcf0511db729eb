package dev.gatehouse.servlet;

class JettyServletContainerTest extends ServletContainerCases {
    @Override
    ServletHost host(FilterSetup filter) {
        return new JettyServletHost(filter);
    }

    /** Jetty's embedded {@code FilterHolder} is async-supported; its guard otherwise only wraps {@code startAsync()}. */
    @Override
    boolean asyncWorksBehind(FilterSetup filter) {
        return true;
    }
}
