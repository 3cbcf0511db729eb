package dev.gatehouse.headers;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.ClientAddress;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Placement;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Adds the response headers that keep browsers safe with a service's responses.
 *
 * <ul>
 *   <li>{@code Strict-Transport-Security} ({@code max-age=31536000} by default), only on responses to HTTPS
 *       requests: a browser ignores it over plain HTTP, and a gateway must not promise HTTPS it did not serve.
 *       Behind a TLS-terminating proxy, the {@linkplain Builder#clientAddress trusted proxies}' {@code
 *       X-Forwarded-Proto: https} counts as HTTPS; the same header from any other peer is ignored.
 *   <li>{@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY} (or {@code SAMEORIGIN}, or a
 *       {@code Content-Security-Policy: frame-ancestors ...} of your own), {@code Referrer-Policy: no-referrer}.
 *   <li>Gatehouse's own problem responses (refusals of the chain's policies) get a restrictive {@code
 *       Content-Security-Policy: default-src 'none'; frame-ancestors 'none'}: nothing in them should ever run.
 * </ul>
 *
 * <p>A value the service already set is kept, unless the route's policy was built with {@link
 * Builder#overrideService()}. The policy is {@link Placement#BEFORE_GUARDS}, so that it sees the refusals of
 * authentication and rate limits too, whatever order they were added in.
 */
public final class SecurityHeadersPolicy implements OffloadPolicy {
    private static final String PROBLEM_CSP = "default-src 'none'; frame-ancestors 'none'";
    private static final List<String> REFERRER_POLICIES = List.of(
            "no-referrer",
            "no-referrer-when-downgrade",
            "origin",
            "origin-when-cross-origin",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin",
            "unsafe-url");

    private final Headers always;
    private final String hsts;
    private final boolean override;
    private final ClientAddress clients;

    private SecurityHeadersPolicy(Builder builder) {
        this.always = builder.always.immutableCopy();
        this.hsts = builder.hsts;
        this.override = builder.override;
        this.clients = builder.clients;
    }

    /** HSTS for a year on HTTPS, nosniff, {@code X-Frame-Options: DENY}, {@code Referrer-Policy: no-referrer}. */
    public static SecurityHeadersPolicy ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        if (hsts != null) {
            // Resolved now, before inner policies may remove the client's forwarding headers.
            clients.scheme(exchange);
        }
        return Decision.proceed();
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead response) {
        Headers headers = response.headers();
        if (!override && noneOf(headers)) {
            headers.addAll(always);
        } else {
            for (int i = 0; i < always.size(); i++) {
                put(headers, always.name(i), always.value(i), override);
            }
        }
        if (hsts != null && clients.scheme(exchange).equalsIgnoreCase("https")) {
            put(headers, "Strict-Transport-Security", hsts, override);
        }
        if (exchange.attribute(PolicyChain.PROCEEDED).isEmpty()
                && headers.first("Content-Type").orElse("").startsWith(Problem.MEDIA_TYPE)) {
            put(headers, "Content-Security-Policy", PROBLEM_CSP, true);
        }
    }

    /** Whether the response has none of the fields the policy always adds: the common case, one copy. */
    private boolean noneOf(Headers headers) {
        for (int i = 0; i < always.size(); i++) {
            if (headers.contains(always.name(i))) {
                return false;
            }
        }
        return true;
    }

    private static void put(Headers headers, String name, String value, boolean override) {
        if (override) {
            headers.set(name, value);
        } else if (!headers.contains(name)) {
            headers.add(name, value);
        }
    }

    @Override
    public Placement placement() {
        return Placement.BEFORE_GUARDS;
    }

    @Override
    public String name() {
        return "security-headers";
    }

    @Override
    public String toString() {
        return "SecurityHeadersPolicy[" + always + ", hsts=" + hsts + ", override=" + override + ", " + clients + "]";
    }

    /** Builds a {@link SecurityHeadersPolicy}; every header is on with its default until changed. */
    public static final class Builder {
        private final Headers always = Headers.create()
                .add("X-Content-Type-Options", "nosniff")
                .add("X-Frame-Options", "DENY")
                .add("Referrer-Policy", "no-referrer");
        private String hsts = "max-age=31536000";
        private boolean override;
        private ClientAddress clients = ClientAddress.direct();

        private Builder() {}

        /** HSTS on HTTPS responses for {@code maxAge}, optionally for subdomains and asking for preload. */
        public Builder hsts(Duration maxAge, boolean includeSubDomains, boolean preload) {
            requireNonNull(maxAge, "maxAge");
            checkArgument(!maxAge.isNegative(), "maxAge: %s (expected: >= 0)", maxAge);
            checkArgument(
                    !preload || includeSubDomains && maxAge.toSeconds() >= 31536000,
                    "preload: true (expected: includeSubDomains and a maxAge of at least a year)");
            this.hsts = "max-age=" + maxAge.toSeconds() + (includeSubDomains ? "; includeSubDomains" : "")
                    + (preload ? "; preload" : "");
            return this;
        }

        /** No {@code Strict-Transport-Security}: TLS ends before this host and another layer sends it. */
        public Builder noHsts() {
            this.hsts = null;
            return this;
        }

        /** {@code X-Frame-Options}: {@code DENY} (the default) or {@code SAMEORIGIN}. */
        public Builder frameOptions(String value) {
            String upper = requireNonNull(value, "frameOptions").toUpperCase(Locale.ROOT);
            checkArgument(
                    upper.equals("DENY") || upper.equals("SAMEORIGIN"),
                    "frameOptions: %s (expected: DENY or SAMEORIGIN)",
                    value);
            always.set("X-Frame-Options", upper);
            return this;
        }

        /**
         * Who may frame the responses, as CSP sources ({@code 'self'}, {@code https://portal.example.com}):
         * {@code Content-Security-Policy: frame-ancestors ...} instead of {@code X-Frame-Options}, which cannot
         * name other origins.
         */
        public Builder frameAncestors(String... sources) {
            checkArgument(sources.length > 0, "frameAncestors: none (expected: at least one source)");
            for (String source : sources) {
                checkArgument(
                        source.matches("[!-~&&[^;,]]+"),
                        "frameAncestors: %s (expected: a CSP source without ; or ,)",
                        source);
            }
            always.remove("X-Frame-Options");
            always.set("Content-Security-Policy", "frame-ancestors " + String.join(" ", sources));
            return this;
        }

        /** {@code Referrer-Policy}; {@code no-referrer} by default. */
        public Builder referrerPolicy(String policy) {
            checkArgument(
                    REFERRER_POLICIES.contains(policy),
                    "referrerPolicy: %s (expected: one of %s)",
                    policy,
                    REFERRER_POLICIES);
            always.set("Referrer-Policy", policy);
            return this;
        }

        /**
         * Whose {@code X-Forwarded-Proto} (or {@code Forwarded: proto=}) says whether the client used HTTPS: the
         * trusted proxies of {@code clients}. {@link ClientAddress#direct()} by default: only this host's scheme.
         */
        public Builder clientAddress(ClientAddress clients) {
            this.clients = requireNonNull(clients, "clients");
            return this;
        }

        /** Replaces the values a service set itself; by default the service's values are kept. */
        public Builder overrideService() {
            this.override = true;
            return this;
        }

        public SecurityHeadersPolicy build() {
            return new SecurityHeadersPolicy(this);
        }
    }
}
