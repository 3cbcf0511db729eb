package dev.gatehouse.config;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.OffloadPolicy;

/**
 * Resolves the client's address once, through the configured trusted proxies, and records it as {@link
 * ClientAddress#KEY}: rate limits, idempotency scopes, the access log and forwarding headers all use that one
 * answer. The scheme the client used ({@link ClientAddress#SCHEME}) is resolved with it, before any policy
 * removes forwarding headers. Put it early in a chain, before the access log.
 */
public final class ClientAddressPolicy implements OffloadPolicy {
    private final ClientAddress resolver;

    private ClientAddressPolicy(ClientAddress resolver) {
        this.resolver = requireNonNull(resolver, "resolver");
    }

    public static ClientAddressPolicy of(ClientAddress resolver) {
        return new ClientAddressPolicy(resolver);
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        resolver.resolve(exchange);
        resolver.scheme(exchange);
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
