package dev.gatehouse.ratelimit;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Exchange;
import dev.gatehouse.Principal;
import dev.gatehouse.Route;
import java.util.Optional;
import java.util.function.Function;

/** What a rate limit counts by: the bucket key of an exchange, or empty when the exchange has none. */
@FunctionalInterface
public interface RateLimitKey {
    Optional<String> of(Exchange exchange);

    /** The client's address, as {@code resolver} establishes it (trusted proxies only). */
    static RateLimitKey clientAddress(ClientAddress resolver) {
        requireNonNull(resolver, "resolver");
        return exchange -> Optional.of("ip:" + resolver.resolve(exchange));
    }

    /** The authenticated principal ({@link Principal#key()}: a JWT issuer and {@code sub}, an API key's owner); empty when anonymous. */
    static RateLimitKey principal() {
        return exchange -> Principal.of(exchange).map(Principal::key);
    }

    /** The principal's plan: everyone on a plan shares one budget. */
    static RateLimitKey plan() {
        return exchange -> Principal.of(exchange).flatMap(Principal::plan).map(plan -> "plan:" + plan);
    }

    /** The matched route's pattern: one budget for the whole route. */
    static RateLimitKey route() {
        return exchange -> exchange.attribute(Route.KEY).map(route -> "route:" + route.pattern());
    }

    /** Any function of the exchange. */
    static RateLimitKey of(Function<Exchange, Optional<String>> key) {
        requireNonNull(key, "key");
        return key::apply;
    }

    /** This key, or {@code fallback} when this one is empty: principal, else client address. */
    default RateLimitKey orElse(RateLimitKey fallback) {
        requireNonNull(fallback, "fallback");
        return exchange -> {
            Optional<String> key = of(exchange);
            return key.isPresent() ? key : fallback.of(exchange);
        };
    }

    /** Both keys together: a budget per (this, other) pair; empty when either is. */
    default RateLimitKey and(RateLimitKey other) {
        requireNonNull(other, "other");
        return exchange -> of(exchange).flatMap(a -> other.of(exchange).map(b -> a + "|" + b));
    }
}
