package dev.gatehouse.examples.gateway;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.PolicyChain;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One route of the gateway: requests whose path starts with {@code prefix} pass {@code chain}, then go to one
 * of {@code upstreams} (round-robin), with the path unchanged. {@code timeout} bounds the whole upstream
 * exchange (504 past it).
 */
public record GatewayRoute(String prefix, List<URI> upstreams, PolicyChain chain, Duration timeout) {
    public GatewayRoute {
        requireNonNull(prefix, "prefix");
        if (!prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: starts with /)");
        }
        upstreams = List.copyOf(upstreams);
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("upstreams of " + prefix + ": none (expected: at least one)");
        }
        for (URI upstream : upstreams) {
            if (!"http".equals(upstream.getScheme()) && !"https".equals(upstream.getScheme())) {
                throw new IllegalArgumentException("upstream " + upstream + " (expected: an http or https URL)");
            }
        }
        requireNonNull(chain, "chain");
        requireNonNull(timeout, "timeout");
    }

    /** Whether {@code path} belongs to this route: the prefix itself, or below it. */
    boolean matches(String path) {
        return prefix.equals("/")
                || path.equals(prefix)
                || (path.startsWith(prefix) && (prefix.endsWith("/") || path.charAt(prefix.length()) == '/'));
    }
}
