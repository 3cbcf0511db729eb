package dev.gatehouse.config;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.ipfilter.IpFilterPolicy;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Lets clients in or refuses them by network ({@link IpFilterPolicy}), on the client address found through
 * {@code trustedProxies}: a client in {@code deny} is refused with 403; when {@code allow} is given, so is a client
 * outside all of it (deny wins over allow).
 *
 * @param allow CIDR networks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or addresses; every client when unset
 * @param deny CIDR networks or addresses refused even when allowed
 */
public record IpRulesConfig(
        @Nullable List<String> allow, @Nullable List<String> deny) {
    public IpRulesConfig {
        allow = allow == null ? List.of() : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
        policy(allow, deny, ClientAddress.direct());
    }

    /** The policy these rules describe, on the client address {@code clients} resolves. */
    public IpFilterPolicy policy(ClientAddress clients) {
        return policy(allow, deny, clients);
    }

    private static IpFilterPolicy policy(
            @Nullable List<String> allow, @Nullable List<String> deny, ClientAddress clients) {
        IpFilterPolicy.Builder builder = IpFilterPolicy.builder().clientAddress(clients);
        builder.allow(allow == null ? new String[0] : allow.toArray(String[]::new));
        builder.deny(deny == null ? new String[0] : deny.toArray(String[]::new));
        return Policies.built(builder::build);
    }
}
