package dev.gatehouse.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.ratelimit.BucketStore;
import dev.gatehouse.ratelimit.LocalBucketStore;
import dev.gatehouse.servlet.OffloadFilter;
import jakarta.servlet.DispatcherType;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** What the auto-configuration creates, what it leaves to the application, and how bad properties stop it. */
class GatehouseAutoConfigurationTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class));

    @Test
    void theFilterComesFirstForRequestAsyncAndErrorDispatchesAndIsAsyncSupported() {
        runner.run(context -> {
            @SuppressWarnings("unchecked")
            FilterRegistrationBean<OffloadFilter> registration =
                    context.getBean("gatehouseFilter", FilterRegistrationBean.class);

            assertThat(registration.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
            assertThat(registration.isAsyncSupported()).isTrue();
            assertThat(registration.determineDispatcherTypes())
                    .containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
            assertThat(registration.getUrlPatterns()).containsExactly("/*");
            assertThat(registration.getFilter().toString()).contains("error pages");
            assertThat(context)
                    .as("a failure no error page answers still completes its exchange")
                    .hasBean("gatehouseErrorPageCompletion");
        });
    }

    @Test
    void theApplicationsOwnBeansWinAndTheDefaultsBackOff() {
        runner.withUserConfiguration(OwnBeans.class).run(context -> {
            assertThat(context).hasSingleBean(RouteTable.class).hasSingleBean(BucketStore.class);
            assertThat(context.getBean(RouteTable.class)).isSameAs(OwnBeans.ROUTES);
            assertThat(context.getBean(BucketStore.class)).isSameAs(OwnBeans.BUCKETS);
            assertThat(context).doesNotHaveBean("gatehouseRouteTable").doesNotHaveBean("gatehouseBucketStore");
            assertThat(context.getBean("gatehouseFilter", FilterRegistrationBean.class)
                            .getFilter()
                            .toString())
                    .as("the filter runs the application's table")
                    .contains(OwnBeans.ROUTES.toString());
        });
    }

    @Test
    void theApplicationsOwnFilterRegistrationReplacesOurs() {
        runner.withUserConfiguration(OwnFilter.class)
                .run(context -> assertThat(context)
                        .hasSingleBean(FilterRegistrationBean.class)
                        .hasBean("myFilter")
                        .doesNotHaveBean("gatehouseFilter"));
    }

    @Test
    void gatehouseEnabledFalseTurnsItOff() {
        runner.withPropertyValues("gatehouse.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void aNegativeRateLimitStopsTheStartWithThePropertyAndWhy() {
        runner.withPropertyValues("gatehouse.routes[0].path=/api", "gatehouse.routes[0].rate-limit.per-minute=-5")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure()))
                            .contains("Failed to bind properties under 'gatehouse.routes[0].rate-limit'")
                            .contains("perMinute -5 (expected: 1 or more requests)");
                });
    }

    @Test
    void rateLimitWindowsOfAnyLengthBindFromProperties() {
        runner.withPropertyValues(
                        "gatehouse.routes[0].path=/api",
                        "gatehouse.routes[0].rate-limit.per-minute=100",
                        "gatehouse.routes[0].rate-limit.windows[0].limit=20",
                        "gatehouse.routes[0].rate-limit.windows[0].per=10s",
                        "gatehouse.routes[0].rate-limit.windows[1].limit=500",
                        "gatehouse.routes[0].rate-limit.windows[1].per=15m",
                        "gatehouse.routes[0].rate-limit.windows[1].name=quarter")
                .run(context -> {
                    PolicyChain chain = context.getBean(RouteTable.class)
                            .select("GET", "/api/x")
                            .chain();
                    assertThat(chain.policy(chain.names().indexOf("ratelimit")).toString())
                            .contains("Limit[name=minute, quota=100, window=PT1M]")
                            .contains("Limit[name=10s, quota=20, window=PT10S]")
                            .contains("Limit[name=quarter, quota=500, window=PT15M]");
                });
        runner.withPropertyValues(
                        "gatehouse.routes[0].path=/api",
                        "gatehouse.routes[0].rate-limit.windows[0].limit=20",
                        "gatehouse.routes[0].rate-limit.windows[0].per=1500ms")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("per 1500ms (expected: whole seconds, 1s or more)"));
    }

    @Test
    void anUnknownAuthModeAndABadDurationNameTheirProperties() {
        runner.withPropertyValues("gatehouse.routes[0].path=/api", "gatehouse.routes[0].auth=always")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("'gatehouse.routes[0]'")
                        .contains("auth always (expected: none, optional or required)"));
        runner.withPropertyValues("gatehouse.routes[0].path=/api", "gatehouse.routes[0].idempotency.ttl=forever")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("'gatehouse.routes[0].idempotency'")
                        .contains("duration forever (expected: e.g. 500ms, 10s, 2m, 1h)"));
    }

    @Test
    void badEdgePolicyValuesStopTheStartWithThePropertyAndWhy() {
        runner.withPropertyValues("gatehouse.security-headers.frame-options=ALLOWALL")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("Failed to bind properties under 'gatehouse.security-headers'")
                        .contains("frameOptions: ALLOWALL (expected: DENY or SAMEORIGIN)"));
        runner.withPropertyValues(
                        "gatehouse.routes[0].path=/api",
                        "gatehouse.routes[0].cors.allow-origins=*",
                        "gatehouse.routes[0].cors.allow-credentials=true")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("Failed to bind properties under 'gatehouse.routes[0].cors'")
                        .contains("allowCredentials"));
        runner.withPropertyValues("gatehouse.ip-rules.deny=10.0.0.0/33")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("'gatehouse.ip-rules'")
                        .contains("network: 10.0.0.0/33"));
    }

    @Test
    void theEdgePoliciesJoinEveryRouteFromTheDefaultsAndARouteMayTurnSecurityHeadersOff() {
        runner.withPropertyValues(
                        "gatehouse.security-headers=true",
                        "gatehouse.ip-rules.allow=10.0.0.0/8",
                        "gatehouse.routes[0].path=/api",
                        "gatehouse.routes[0].header-transforms.response.remove=Server",
                        "gatehouse.routes[1].path=/raw",
                        "gatehouse.routes[1].security-headers=false")
                .run(context -> {
                    RouteTable table = context.getBean(RouteTable.class);
                    assertThat(table.select("GET", "/api/x").chain().names())
                            .contains("ip-filter", "security-headers", "header-transform");
                    assertThat(table.select("GET", "/raw/x").chain().names())
                            .contains("ip-filter")
                            .doesNotContain("security-headers");
                });
    }

    @Test
    void clientCertificatesAreACredentialAndABadIdentityStopsTheStartWithThePropertyAndWhy() {
        runner.withPropertyValues(
                        "gatehouse.auth.client-certificates.identity=san:uri",
                        "gatehouse.auth.client-certificates.issuers[0]=CN=Mesh CA,O=Example",
                        "gatehouse.auth.client-certificates.scopes=orders:read",
                        "gatehouse.routes[0].path=/api",
                        "gatehouse.routes[0].auth=required")
                .run(context -> {
                    PolicyChain chain = context.getBean(RouteTable.class)
                            .select("GET", "/api/x")
                            .chain();
                    assertThat(chain.policy(chain.names().indexOf("auth")).toString())
                            .contains("client-certificate");
                });
        runner.withPropertyValues("gatehouse.auth.client-certificates.identity=san:ip")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("'gatehouse.auth.client-certificates'")
                        .contains("identity: san:ip (expected: subject:CN,"));
    }

    @Test
    void aRouteThatAuthenticatesWithoutCredentialsConfiguredStopsTheStart() {
        runner.withPropertyValues("gatehouse.routes[0].path=/api", "gatehouse.routes[0].auth=required")
                .run(
                        context -> assertThat(messages(context.getStartupFailure()))
                                .contains(
                                        "route /api: auth required but no credentials (expected: an auth section with jwt, introspection, apiKeys or clientCertificates)"));
    }

    @Test
    void introspectionAndAWebhookRouteBindFromProperties() {
        runner.withPropertyValues(
                        "gatehouse.auth.introspection.endpoint=https://as.example/oauth2/introspect",
                        "gatehouse.auth.introspection.client-id=gateway",
                        "gatehouse.auth.introspection.client-secret=s3cret",
                        "gatehouse.auth.introspection.cache-ttl=1m",
                        "gatehouse.routes[0].path=/api",
                        "gatehouse.routes[0].auth=required",
                        "gatehouse.routes[1].path=/hooks",
                        "gatehouse.routes[1].webhook.scheme=standard-webhooks",
                        "gatehouse.routes[1].webhook.secrets[0]=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        "gatehouse.routes[1].webhook.tolerance=2m")
                .run(context -> {
                    RouteTable table = context.getBean(RouteTable.class);
                    PolicyChain api = table.select("GET", "/api/x").chain();
                    assertThat(api.policy(api.names().indexOf("auth"))).hasToString("AuthPolicy[[introspection]]");
                    assertThat(table.select("POST", "/hooks/x").chain().names())
                            .containsSubsequence("request-id", "webhook");
                });
    }

    @Test
    void badIntrospectionAndWebhookValuesStopTheStartWithThePropertyAndWhy() {
        runner.withPropertyValues(
                        "gatehouse.auth.introspection.endpoint=https://as.example/oauth2/introspect",
                        "gatehouse.auth.introspection.client-id=gateway")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("'gatehouse.auth.introspection'")
                        .contains("clientId and clientSecret: one without the other"));
        runner.withPropertyValues(
                        "gatehouse.routes[0].path=/hooks",
                        "gatehouse.routes[0].webhook.scheme=github",
                        "gatehouse.routes[0].webhook.secrets[0]=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("'gatehouse.routes[0].webhook'")
                        .contains("scheme github (expected: standard-webhooks or stripe)"));
    }

    @Test
    void theShorthandTrueTurnsAPolicyOnWithItsDefaults() {
        runner.withPropertyValues(
                        "gatehouse.routes[0].path=/files",
                        "gatehouse.routes[0].compression=true",
                        "gatehouse.routes[0].idempotency=true")
                .run(context -> assertThat(context.getBean(RouteTable.class)
                                .select("POST", "/files/1")
                                .chain()
                                .names())
                        .containsSubsequence("request-id", "access-log", "compression", "idempotency"));
    }

    /** Every message down the cause chain, one per line. */
    static String messages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            text.append(cause.getMessage()).append('\n');
        }
        return text.toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
        static final RouteTable ROUTES = RouteTable.of(PolicyChain.empty());
        static final BucketStore BUCKETS = LocalBucketStore.ofDefaults();

        @Bean
        RouteTable myRoutes() {
            return ROUTES;
        }

        @Bean
        BucketStore myBuckets() {
            return BUCKETS;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnFilter {
        @Bean
        FilterRegistrationBean<OffloadFilter> myFilter() {
            return new FilterRegistrationBean<>(OffloadFilter.of(PolicyChain.empty()));
        }
    }
}
