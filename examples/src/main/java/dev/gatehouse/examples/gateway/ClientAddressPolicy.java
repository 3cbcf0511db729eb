package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.OffloadPolicy;

/**
 * Resolves the client's address once, through the configured trusted proxies, and records it as {@link
 * ClientAddress#KEY}: rate limits, idempotency scopes, the access log and the forwarding headers all use that
 * one answer.
 */
final class ClientAddressPolicy implements OffloadPolicy {
    private final ClientAddress resolver;

    ClientAddressPolicy(ClientAddress resolver) {
        this.resolver = requireNonNull(resolver, "resolver");
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        resolver.resolve(exchange);
        return Decision.proceed();
    }

    @Override
    public String name() {
        return "client-address";
    }

    @Override
    public String toString() {
        return "ClientAddressPolicy[" + resolver + "]";
    }
}
