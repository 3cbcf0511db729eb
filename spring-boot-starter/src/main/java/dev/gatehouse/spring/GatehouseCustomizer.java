package dev.gatehouse.spring;

/**
 * Edits each chain the auto-configuration builds: adds, removes or reorders policies. Called once for every
 * route's chain and once for the default chain ({@link GatehouseChain#route()} {@code /**}), after the
 * application's {@link dev.gatehouse.OffloadPolicy} beans were added; customizers run in their {@code @Order}.
 *
 * <pre>{@code
 * @Bean
 * GatehouseCustomizer denyTrace() {
 *     return chain -> chain.addFirst("deny-trace", exchange -> "TRACE".equals(exchange.method())
 *             ? Decision.reject(405, "Method Not Allowed")
 *             : Decision.proceed());
 * }
 * }</pre>
 */
@FunctionalInterface
public interface GatehouseCustomizer {
    void customize(GatehouseChain chain);
}
