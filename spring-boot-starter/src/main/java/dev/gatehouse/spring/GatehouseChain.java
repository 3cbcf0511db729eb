package dev.gatehouse.spring;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One chain as a {@link GatehouseCustomizer} edits it: the policies in order, each under its name ({@code
 * request-id}, {@code client-address}, {@code access-log}, then the route's: {@code ratelimit}, {@code auth},
 * {@code scope}, {@code request-decompression}, {@code compression}, {@code idempotency}, {@code
 * strip-authorization}; then the application's {@link OffloadPolicy} beans under their {@link OffloadPolicy#name()}).
 */
public final class GatehouseChain {
    private final String route;
    private final List<String> names = new ArrayList<>();
    private final List<OffloadPolicy> policies = new ArrayList<>();

    GatehouseChain(String route, PolicyChain chain) {
        this.route = route;
        for (int i = 0; i < chain.size(); i++) {
            names.add(chain.name(i));
            policies.add(chain.policy(i));
        }
    }

    /** The route's pattern ({@code /api/**}); {@code /**} for the chain of requests that match no route. */
    public String route() {
        return route;
    }

    /** The policies' names, in the order requests meet them. */
    public List<String> names() {
        return List.copyOf(names);
    }

    /** Adds {@code policy} first: before every other. */
    public GatehouseChain addFirst(String name, OffloadPolicy policy) {
        return insert(0, name, policy);
    }

    /** Adds {@code policy} last: after every other, next to the service. */
    public GatehouseChain addLast(String name, OffloadPolicy policy) {
        return insert(names.size(), name, policy);
    }

    /** Adds {@code policy} just before the policy named {@code existing}. */
    public GatehouseChain addBefore(String existing, String name, OffloadPolicy policy) {
        return insert(indexOf(existing), name, policy);
    }

    /** Adds {@code policy} just after the policy named {@code existing}. */
    public GatehouseChain addAfter(String existing, String name, OffloadPolicy policy) {
        return insert(indexOf(existing) + 1, name, policy);
    }

    /** Removes the policy named {@code name}; to move it, add it again where it belongs. */
    public Optional<OffloadPolicy> remove(String name) {
        int index = names.indexOf(name);
        if (index < 0) {
            return Optional.empty();
        }
        names.remove(index);
        return Optional.of(policies.remove(index));
    }

    private GatehouseChain insert(int index, String name, OffloadPolicy policy) {
        requireNonNull(name, "name");
        requireNonNull(policy, "policy");
        if (names.contains(name)) {
            throw new IllegalArgumentException(
                    "name: " + name + " (expected: a name not yet in the chain of " + route + ", " + names + ")");
        }
        names.add(index, name);
        policies.add(index, policy);
        return this;
    }

    private int indexOf(String existing) {
        int index = names.indexOf(existing);
        if (index < 0) {
            throw new IllegalArgumentException(
                    "policy " + existing + ": not in the chain of " + route + " (expected: one of " + names + ")");
        }
        return index;
    }

    /** The chain as edited, with {@code like}'s listener and clock. */
    PolicyChain build(PolicyChain like) {
        PolicyChain.Builder chain = PolicyChain.builder();
        for (int i = 0; i < names.size(); i++) {
            chain.add(names.get(i), policies.get(i));
        }
        return chain.listener(like.listener()).nanoClock(like::nanoTime).build();
    }

    @Override
    public String toString() {
        return "GatehouseChain[" + route + " " + names + "]";
    }
}
