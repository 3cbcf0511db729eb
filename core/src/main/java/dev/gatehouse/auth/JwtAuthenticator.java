package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static dev.gatehouse.internal.Checks.checkState;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.Exchange;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.Principal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates JWT bearer tokens (RFC 7519, RFC 6750, RFC 8725 best practice) for an {@link AuthPolicy}: {@link
 * BearerToken} finds the token, a verifier checks it, {@link ClaimsMapper} makes the {@link Principal}, and a
 * cache remembers verified tokens.
 *
 * <p>What a token must be to pass: at most {@code maxTokenLength} characters in three base64url segments; a
 * header whose {@code alg} names exactly the algorithm of the key it selects from the key source of the token's
 * issuer (by {@code kid}, or a kid-less key alone in its family: {@link KeySource#select}), no {@code crit}
 * member, optionally {@code typ: at+jwt}; a valid signature; {@code iss} one of the trusted issuers and {@code
 * aud} (a string or an array) naming one of the accepted audiences, compared exactly; {@code exp} a JSON number
 * in the future (with leeway); {@code nbf} and {@code iat}, when present, numbers not in the future; {@code sub}
 * and every claim copied into a header visible ASCII of bounded length. {@code jku}, {@code x5u}, {@code jwk}
 * and {@code x5c} are never used.
 *
 * <p>Failures name the precise reason (expired at T, aud expected X got Y, unknown kid K, signature invalid);
 * two {@code Authorization} fields or a token in both header and query are {@link
 * Authentication.Fault#INVALID_REQUEST}. Verified tokens are cached by their exact text until {@code min(exp +
 * leeway, verification + cacheTtl)}: the cache never extends a token's life.
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Runtime.Version FIXED_ECDSA = Runtime.Version.parse("17.0.3");
    private static final Optional<String> CHALLENGE = Optional.of("Bearer");

    private final JwtVerifier verifier;
    private final VerifiedTokenCache cache;
    private final boolean queryParameterEnabled;

    private JwtAuthenticator(Builder builder) {
        ClaimsMapper claims = new ClaimsMapper(
                builder.tenantClaim, builder.planClaim, List.copyOf(builder.claims), builder.maxClaimLength);
        this.verifier = new JwtVerifier(
                builder.issuers,
                builder.audiences,
                builder.leeway,
                builder.maxTokenLength,
                builder.requireAccessTokenType,
                builder.cacheTtl,
                builder.clock,
                claims);
        this.cache = new VerifiedTokenCache(builder.cacheSize, !builder.cacheTtl.isZero(), builder.clock);
        this.queryParameterEnabled = builder.queryParameterEnabled;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Authentication authenticate(Exchange exchange) {
        try {
            String authorization = BearerToken.authorization(exchange.requestHeaders());
            if (queryParameterEnabled) {
                Optional<String> fromQuery = BearerToken.fromQuery(exchange);
                if (fromQuery.isPresent()) {
                    if (authorization != null) {
                        throw new JwtRefusal("Send the token once.", "token in header and query");
                    }
                    return verified(fromQuery.get(), false);
                }
            }
            if (authorization == null) {
                return Authentication.Absent.INSTANCE;
            }
            // The common case cuts no substring on a cache hit: the field's value is the key.
            return BearerToken.isUnpadded(authorization)
                    ? verified(authorization, true)
                    : verified(BearerToken.token(authorization), false);
        } catch (JwtRefusal refusal) {
            return new Authentication.Failed(
                    Authentication.Fault.INVALID_REQUEST, refusal.description(), refusal.reason());
        }
    }

    /**
     * @param key the credential text the cache knows it by: the token, or the whole unpadded field
     * @param field whether {@code key} is the {@code Authorization} value rather than the bare token
     */
    private Authentication verified(String key, boolean field) {
        Authentication.Authenticated hit = cache.get(key);
        if (hit != null) {
            return hit;
        }
        try {
            JwtVerifier.Verified verified = verifier.verify(field ? BearerToken.token(key) : key);
            Authentication.Authenticated authenticated = new Authentication.Authenticated(verified.principal());
            cache.put(key, authenticated, verified.validUntilMillis());
            return authenticated;
        } catch (JwtRefusal refusal) {
            return new Authentication.Failed(
                    Authentication.Fault.INVALID_CREDENTIAL, refusal.description(), refusal.reason());
        }
    }

    @Override
    public Optional<String> challenge() {
        return CHALLENGE;
    }

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public String toString() {
        return "JwtAuthenticator[issuers=" + verifier.issuers() + ", audiences=" + verifier.audiences() + "]";
    }

    public static final class Builder {
        private final Map<String, KeySource> issuers = new LinkedHashMap<>();
        private final Set<String> audiences = new LinkedHashSet<>();
        private final List<String> claims = new ArrayList<>();
        private Duration leeway = Duration.ofSeconds(30);
        private int maxTokenLength = 8192;
        private int maxClaimLength = 256;
        private boolean requireAccessTokenType;
        private boolean queryParameterEnabled;
        private String tenantClaim = "tenant";
        private String planClaim = "plan";
        private Clock clock = Clock.systemUTC();
        private Duration cacheTtl = Duration.ofMinutes(5);
        private long cacheSize = 10_000;

        private Builder() {}

        /** Trusts tokens whose {@code iss} is exactly {@code issuer}, verified with keys from {@code keys}. */
        public Builder issuer(String issuer, KeySource keys) {
            checkArgument(!issuer.isEmpty(), "issuer: \"\" (expected: the exact iss value)");
            checkArgument(
                    issuers.put(issuer, requireNonNull(keys, "keys")) == null,
                    "issuer: %s (expected: configured once)",
                    issuer);
            return this;
        }

        /** Accepts tokens whose {@code aud} names {@code audience} (exact match); at least one is required. */
        public Builder audience(String audience) {
            checkArgument(!audience.isEmpty(), "audience: \"\" (expected: the exact aud value)");
            audiences.add(audience);
            return this;
        }

        /** Clock skew allowed on exp, nbf and iat; 30 s by default, at most 5 minutes. */
        public Builder leeway(Duration leeway) {
            checkArgument(
                    !leeway.isNegative() && leeway.compareTo(Duration.ofMinutes(5)) <= 0,
                    "leeway: %s (expected: 0..5 minutes)",
                    leeway);
            this.leeway = leeway;
            return this;
        }

        /** Tokens longer than this are refused before decoding; 8192 by default. */
        public Builder maxTokenLength(int maxTokenLength) {
            checkArgument(
                    maxTokenLength >= 64 && maxTokenLength <= 65536,
                    "maxTokenLength: %s (expected: 64..65536)",
                    maxTokenLength);
            this.maxTokenLength = maxTokenLength;
            return this;
        }

        /** The longest claim value copied into a header (sub, tenant, plan, each scope); 256 by default. */
        public Builder maxClaimLength(int maxClaimLength) {
            checkArgument(
                    maxClaimLength >= 16 && maxClaimLength <= 4096,
                    "maxClaimLength: %s (expected: 16..4096)",
                    maxClaimLength);
            this.maxClaimLength = maxClaimLength;
            return this;
        }

        /** Requires {@code typ: at+jwt} (RFC 9068), so that ID tokens cannot be used as access tokens. */
        public Builder requireAccessTokenType() {
            this.requireAccessTokenType = true;
            return this;
        }

        /** Also accepts the token in the {@code access_token} query parameter (RFC 6750 §2.3); off by default. */
        public Builder allowQueryParameter() {
            this.queryParameterEnabled = true;
            return this;
        }

        /** The claim that names the principal's tenant; {@code tenant} by default. */
        public Builder tenantClaim(String claim) {
            this.tenantClaim = requireNonNull(claim, "claim");
            return this;
        }

        /** The claim that names the principal's plan (tier); {@code plan} by default. */
        public Builder planClaim(String claim) {
            this.planClaim = requireNonNull(claim, "claim");
            return this;
        }

        /**
         * Keeps string claim {@code claim}, when present and header-safe, in {@link Principal#claims()}: what
         * {@link IdentityHeaders.Builder#claim} passes to the service.
         */
        public Builder claim(String claim) {
            checkArgument(!claim.isEmpty(), "claim: \"\" (expected: a claim name)");
            claims.add(claim);
            return this;
        }

        /** Keeps every claim that {@code identityHeaders} passes to the service in a header of its own. */
        public Builder claimsFor(IdentityHeaders identityHeaders) {
            identityHeaders.claimHeaders().keySet().forEach(this::claim);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long a verified token is remembered at most (never past its exp); 5 minutes, 10,000 tokens. The
         * memory is bounded by {@code maxTokens × (maxTokenLength + 7)} characters of keys plus the principals.
         */
        public Builder cache(Duration ttl, long maxTokens) {
            checkArgument(!ttl.isNegative(), "ttl: %s (expected: >= 0; 0 turns the cache off)", ttl);
            checkArgument(maxTokens >= 0, "maxTokens: %s (expected: >= 0)", maxTokens);
            this.cacheTtl = ttl;
            this.cacheSize = maxTokens;
            return this;
        }

        /**
         * @throws IllegalStateException without an issuer or an audience, or on a JDK older than 17.0.3 (whose
         *     ECDSA accepts forged signatures, CVE-2022-21449)
         */
        public JwtAuthenticator build() {
            checkState(!issuers.isEmpty(), "issuers: none (expected: at least one trusted issuer)");
            checkState(!audiences.isEmpty(), "audiences: none (expected: at least one accepted audience)");
            checkState(
                    Runtime.version().compareToIgnoreOptional(FIXED_ECDSA) >= 0,
                    "Java %s: ECDSA verification accepts forged signatures before 17.0.3 (CVE-2022-21449)",
                    Runtime.version());
            return new JwtAuthenticator(this);
        }
    }
}
