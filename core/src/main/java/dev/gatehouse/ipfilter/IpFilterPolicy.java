package dev.gatehouse.ipfilter;

import static dev.gatehouse.internal.Checks.checkState;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.IpNetwork;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.Problem;
import dev.gatehouse.internal.Printable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Lets clients in or refuses them by network: CIDR lists, IPv4 and IPv6, on the client address as {@link
 * ClientAddress} resolves it (trusted proxies skipped, so a client cannot pick its address by sending {@code
 * X-Forwarded-For}). An IPv4-mapped IPv6 peer ({@code ::ffff:192.0.2.7}) is the IPv4 address it maps.
 *
 * <p>A client in a denied network is refused; when allowed networks are given, so is a client outside all of
 * them (deny wins over allow). A refusal is 403 problem+json, with the address and the matching rule in the
 * decision log. The policy is {@link Placement#BEFORE_GUARDS}: the chain runs it before authentication, rate
 * limits and idempotency whatever order they were added in, so a refused client costs no token verification,
 * no rate-limit token and no upstream call.
 */
public final class IpFilterPolicy implements OffloadPolicy {
    /** The denied networks, then the allowed ones. */
    private final List<IpNetwork> rules;
    /** How many of the rules deny. */
    private final int denied;

    private final ClientAddress clientAddress;

    private IpFilterPolicy(Builder builder) {
        List<IpNetwork> all = new ArrayList<>(builder.denied);
        all.addAll(builder.allowed);
        this.rules = List.copyOf(all);
        this.denied = builder.denied.size();
        this.clientAddress = builder.clientAddress;
    }

    /** Only clients in these networks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 192.0.2.7}). */
    public static IpFilterPolicy allowing(String... networks) {
        return builder().allow(networks).build();
    }

    /** Every client but those in these networks. */
    public static IpFilterPolicy denying(String... networks) {
        return builder().deny(networks).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        String client = clientAddress.resolve(exchange);
        // Denied networks come first in the rules, so the first match decides and deny wins over allow.
        Optional<IpNetwork> match = IpNetwork.firstContaining(rules, client);
        if (match.isPresent() && rules.indexOf(match.get()) < denied) {
            return refuse("client " + Printable.of(client, 60) + " in denied " + match.get());
        }
        if (match.isEmpty() && rules.size() > denied) {
            return refuse("client " + Printable.of(client, 60) + " in no allowed network");
        }
        return Decision.proceed();
    }

    private static Decision refuse(String reason) {
        return Decision.reject(Problem.of(403, "The client address is not allowed."))
                .because(reason);
    }

    @Override
    public Placement placement() {
        return Placement.BEFORE_GUARDS;
    }

    @Override
    public String name() {
        return "ip-filter";
    }

    @Override
    public String toString() {
        return "IpFilterPolicy[deny=" + rules.subList(0, denied) + ", allow=" + rules.subList(denied, rules.size())
                + "]";
    }

    /** Builds an {@link IpFilterPolicy}: at least one allowed or denied network. */
    public static final class Builder {
        private final List<IpNetwork> allowed = new ArrayList<>();
        private final List<IpNetwork> denied = new ArrayList<>();
        private ClientAddress clientAddress = ClientAddress.direct();

        private Builder() {}

        /** Lets in only clients in these networks (and not denied). */
        public Builder allow(String... networks) {
            Arrays.stream(networks).map(IpNetwork::parse).forEach(allowed::add);
            return this;
        }

        /** Refuses clients in these networks, even when they are in an allowed one. */
        public Builder deny(String... networks) {
            Arrays.stream(networks).map(IpNetwork::parse).forEach(denied::add);
            return this;
        }

        /** How the client address is found; the connection's peer ({@link ClientAddress#direct()}) by default. */
        public Builder clientAddress(ClientAddress clientAddress) {
            this.clientAddress = requireNonNull(clientAddress, "clientAddress");
            return this;
        }

        public IpFilterPolicy build() {
            checkState(
                    !allowed.isEmpty() || !denied.isEmpty(),
                    "networks: none (expected: at least one allow(...) or deny(...))");
            return new IpFilterPolicy(this);
        }
    }
}
