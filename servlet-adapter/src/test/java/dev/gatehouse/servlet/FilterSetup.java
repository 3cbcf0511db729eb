package dev.gatehouse.servlet;

import dev.gatehouse.RouteTable;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import java.util.EnumSet;

/** How a test host puts {@link OffloadFilter} in front of its servlet. */
enum FilterSetup {
    /** {@link OffloadFilter#register}: what the README shows. */
    REGISTER {
        @Override
        void apply(ServletContext context, RouteTable routes) {
            OffloadFilter.register(context, routes);
        }
    },
    /**
     * The container's own API with its defaults, mapped for {@code REQUEST} and {@code ASYNC}, as the README once
     * showed for Jetty ({@code FilterHolder}) and a user translates for Tomcat ({@code FilterDef}/{@code
     * FilterMap}) or Undertow ({@code FilterInfo}): the host does it, not this method.
     */
    NATIVE {
        @Override
        void apply(ServletContext context, RouteTable routes) {
            throw new UnsupportedOperationException("the host registers the filter with its own API");
        }
    },
    /**
     * {@code ServletContext.addFilter} for {@code REQUEST} and {@code ASYNC}, explicitly not async-supported, as a
     * {@code web.xml} {@code <filter>} without {@code <async-supported>true} declares it.
     */
    NOT_ASYNC {
        @Override
        void apply(ServletContext context, RouteTable routes) {
            FilterRegistration.Dynamic registration = context.addFilter("not-async", OffloadFilter.of(routes));
            registration.setAsyncSupported(false);
            registration.addMappingForUrlPatterns(
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
        }
    },
    /** {@link OffloadFilter#register} twice; the second failure is kept in {@link #secondRegistration}. */
    REGISTER_TWICE {
        @Override
        void apply(ServletContext context, RouteTable routes) {
            OffloadFilter.register(context, routes);
            try {
                OffloadFilter.register(context, routes);
            } catch (IllegalStateException e) {
                secondRegistration = e;
            }
        }
    },
    /**
     * {@link OffloadFilter#withErrorPages}, async-supported, for {@code REQUEST}, {@code ASYNC} and {@code ERROR},
     * with {@link OffloadFilter#errorPageCompletion()}: as the Spring Boot starter registers it.
     */
    ERROR_PAGES {
        @Override
        void apply(ServletContext context, RouteTable routes) {
            FilterRegistration.Dynamic registration =
                    context.addFilter(OffloadFilter.NAME, OffloadFilter.withErrorPages(routes));
            registration.setAsyncSupported(true);
            registration.addMappingForUrlPatterns(
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR), false, "/*");
            context.addListener(OffloadFilter.errorPageCompletion());
        }
    },
    /** No filter: the container on its own, to compare with. */
    NONE {
        @Override
        void apply(ServletContext context, RouteTable routes) {}
    };

    static volatile Throwable secondRegistration;

    abstract void apply(ServletContext context, RouteTable routes);
}
