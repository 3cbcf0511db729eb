package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static dev.gatehouse.internal.Checks.checkState;
import static java.util.Objects.requireNonNull;

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Principal;
import dev.gatehouse.Problem;
import dev.gatehouse.ProtectedHeaders;
import dev.gatehouse.internal.Printable;
import dev.gatehouse.internal.QueryParameters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies JWT bearer tokens (RFC 7519, RFC 8725 best practice) and turns them into a {@link Principal} and
 * trusted identity headers for the service.
 *
 * <p>What a token must be to pass: at most {@code maxTokenLength} characters in three base64url segments; a
 * header whose {@code alg} names exactly the algorithm of the key it selects from the key source of the token's
 * issuer (by {@code kid}, or a kid-less key alone in its family: {@link KeySource#select}), no {@code crit} member, optionally {@code typ: at+jwt}; a valid signature;
 * {@code iss} one of the trusted issuers and {@code aud} (a string or an array) naming one of the accepted
 * audiences, compared exactly; {@code exp} a JSON number in the future (with leeway); {@code nbf} and {@code
 * iat}, when present, numbers not in the future; {@code sub} and every claim copied into a header visible
 * ASCII of bounded length. {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} are never used.
 *
 * <p>Refusals are 401 with {@code WWW-Authenticate: Bearer error="invalid_token"} (RFC 6750 §3) and a
 * problem+json body; the access-log reason is precise (expired at T, aud expected X got Y, unknown kid K,
 * signature invalid). Verified tokens are cached by their SHA-256 digest until {@code min(exp + leeway,
 * verification + cacheTtl)}: the cache never extends a token's life.
 */
public final class JwtPolicy implements OffloadPolicy, Authenticator {
    private static final Runtime.Version FIXED_ECDSA = Runtime.Version.parse("17.0.3");
    private static final long MAX_NUMERIC_DATE = 253402300799L; // 9999-12-31T23:59:59Z
    private static final String BEARER_CHALLENGE = "Bearer";
    private static final Pattern CLAIM_IN_MESSAGE = Pattern.compile("claim '([a-z]{3})'");
    private static final Set<String> DATE_CLAIMS = Set.of("exp", "nbf", "iat");
    private static final ThreadLocal<Digester> DIGESTER = ThreadLocal.withInitial(Digester::new);

    private final Map<String, KeySource> issuers;
    private final Set<String> audiences;
    private final Duration leeway;
    private final int maxTokenLength;
    private final int maxClaimLength;
    private final boolean requireAccessTokenType;
    private final boolean queryParameterEnabled;
    private final String tenantClaim;
    private final String planClaim;
    private final Clock clock;
    private final long cacheTtlMillis;
    private final Cache<ByteBuffer, Verified> cache;
    private final IdentityHeaders identityHeaders;
    private final boolean optional;
    private final Headers challenges;
    private final List<Authenticator> self = List.of(this);

    /** A verified token's principal and the instant (epoch millis) after which it is no longer accepted. */
    private record Verified(Principal principal, long validUntilMillis) {}

    /** A refusal: what the client is told, and the precise reason for the log. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final String description;

        Refused(String description, String reason) {
            super(reason, null, false, false);
            this.description = description;
        }
    }

    private JwtPolicy(Builder builder) {
        this.issuers = Map.copyOf(builder.issuers);
        this.audiences = Set.copyOf(builder.audiences);
        this.leeway = builder.leeway;
        this.maxTokenLength = builder.maxTokenLength;
        this.maxClaimLength = builder.maxClaimLength;
        this.requireAccessTokenType = builder.requireAccessTokenType;
        this.queryParameterEnabled = builder.queryParameterEnabled;
        this.tenantClaim = builder.tenantClaim;
        this.planClaim = builder.planClaim;
        this.clock = builder.clock;
        this.cacheTtlMillis = builder.cacheTtl.toMillis();
        this.identityHeaders = builder.identityHeaders;
        this.optional = builder.optional;
        this.challenges = Headers.of("WWW-Authenticate", BEARER_CHALLENGE);
        this.cache = Caffeine.newBuilder()
                .maximumSize(builder.cacheSize)
                .expireAfter(new Expiry<ByteBuffer, Verified>() {
                    @Override
                    public long expireAfterCreate(ByteBuffer key, Verified value, long currentTime) {
                        long millis = Math.max(0, value.validUntilMillis() - clock.millis());
                        return Duration.ofMillis(millis).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(ByteBuffer key, Verified value, long currentTime, long duration) {
                        return expireAfterCreate(key, value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(ByteBuffer key, Verified value, long currentTime, long duration) {
                        return duration;
                    }
                })
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        return AuthPolicy.decide(exchange, self, identityHeaders, optional, challenges);
    }

    @Override
    public Authentication authenticate(Exchange exchange) {
        Headers headers = exchange.requestHeaders();
        int fields = headers.count("Authorization");
        String token = null;
        if (fields > 1) {
            return failed(400, "invalid_request", "Send one Authorization header.", fields + " Authorization fields");
        }
        if (fields == 1) {
            String authorization = headers.first("Authorization").orElseThrow();
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new Authentication.Absent();
            }
            token = authorization.substring(7).strip();
        }
        if (queryParameterEnabled) {
            Optional<String> fromQuery;
            try {
                fromQuery = QueryParameters.single(exchange.query(), "access_token");
            } catch (IllegalArgumentException e) {
                return failed(400, "invalid_request", "Send the token once.", Printable.of(e.getMessage(), 120));
            }
            if (fromQuery.isPresent()) {
                if (token != null) {
                    return failed(400, "invalid_request", "Send the token once.", "token in header and query");
                }
                token = fromQuery.get();
            }
        }
        if (token == null) {
            return new Authentication.Absent();
        }
        try {
            return new Authentication.Authenticated(verify(token));
        } catch (Refused refused) {
            return failed(401, "invalid_token", refused.description, refused.getMessage());
        }
    }

    @Override
    public Optional<String> challenge() {
        return Optional.of(BEARER_CHALLENGE);
    }

    @Override
    public ProtectedHeaders protectedRequestHeaders() {
        return identityHeaders.protectedHeaders();
    }

    @Override
    public String name() {
        return "jwt";
    }

    /** Verifies {@code token} and returns its principal; the cache answers repeated tokens. */
    Principal verify(String token) throws Refused {
        if (token.length() > maxTokenLength) {
            throw new Refused(
                    "The access token is too large.",
                    "token of " + token.length() + " chars (max " + maxTokenLength + ")");
        }
        long now = clock.millis();
        // A token whose digest is cached is the very token that passed every check below.
        ByteBuffer digest = cacheTtlMillis > 0 ? digest(token) : null;
        Verified cached = digest == null ? null : cache.getIfPresent(digest);
        if (cached != null) {
            if (now < cached.validUntilMillis()) {
                return cached.principal();
            }
            cache.invalidate(digest);
        }
        checkSyntax(token);
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw undecodable(e);
        }
        JwtKey key = checkHeader(jwt);
        boolean valid;
        try {
            valid = key.verifies(jwt);
        } catch (RuntimeException e) {
            throw new Refused(
                    "The access token signature is invalid.",
                    "signature unverifiable (" + key + "): " + e.getClass().getSimpleName());
        }
        if (!valid) {
            throw new Refused("The access token signature is invalid.", "signature invalid (" + key + ")");
        }
        long exp = checkTimes(jwt, now);
        checkAudience(jwt);
        Principal principal = principal(jwt);
        long validUntil = Math.min(Math.multiplyExact(exp + leeway.toSeconds(), 1000L), now + cacheTtlMillis);
        if (digest != null) {
            cache.put(digest, new Verified(principal, validUntil));
        }
        return principal;
    }

    /** Three non-empty base64url segments (header and signature), no padding, no whitespace. */
    private static void checkSyntax(String token) throws Refused {
        int dots = 0;
        int lastDot = -1;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (i == lastDot + 1) {
                    throw new Refused("The access token is malformed.", "malformed token: empty segment");
                }
                dots++;
                lastDot = i;
            } else if (!((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_')) {
                throw new Refused(
                        "The access token is malformed.",
                        "malformed token: character 0x" + Integer.toHexString(c) + " at " + i);
            }
        }
        if (dots != 2) {
            throw new Refused(
                    "The access token is malformed.", "malformed token: " + (dots + 1) + " segments (expected: 3)");
        }
        if (lastDot == token.length() - 1) {
            throw new Refused("The access token is malformed.", "malformed token: no signature");
        }
    }

    /** java-jwt checks the registered date claims while decoding; its message names the claim. */
    private static Refused undecodable(JWTDecodeException e) {
        String message = String.valueOf(e.getMessage());
        Matcher claim = CLAIM_IN_MESSAGE.matcher(message);
        if (claim.find() && DATE_CLAIMS.contains(claim.group(1))) {
            String name = claim.group(1);
            String problem = message.contains("out of the range") ? " out of range" : " is not a number";
            return new Refused("The access token has an invalid " + name + ".", name + problem);
        }
        return new Refused("The access token is malformed.", "undecodable token: " + Printable.of(message, 120));
    }

    private JwtKey checkHeader(DecodedJWT jwt) throws Refused {
        Claim algClaim = jwt.getHeaderClaim("alg");
        String alg = algClaim.asString();
        if (alg == null) {
            throw new Refused("The access token is malformed.", "alg missing or not a string");
        }
        if (alg.toLowerCase(Locale.ROOT).equals("none")) {
            throw new Refused("The access token is not signed.", "alg " + Printable.of(alg, 10) + " refused");
        }
        if (!jwt.getHeaderClaim("crit").isMissing()) {
            throw new Refused(
                    "The access token uses unsupported critical extensions.",
                    "crit " + Printable.of(String.valueOf(jwt.getHeaderClaim("crit")), 80) + " not understood");
        }
        if (requireAccessTokenType) {
            String typ = jwt.getHeaderClaim("typ").asString();
            if (typ == null || !(typ.equalsIgnoreCase("at+jwt") || typ.equalsIgnoreCase("application/at+jwt"))) {
                throw new Refused(
                        "The token is not an access token.",
                        "typ " + (typ == null ? "missing" : Printable.of(typ, 40)) + " (expected: at+jwt)");
            }
        }
        Claim issClaim = jwt.getClaim("iss");
        String iss = issClaim.asString();
        if (iss == null) {
            throw new Refused("The access token has no valid issuer.", "iss missing or not a string");
        }
        KeySource keys = issuers.get(iss);
        if (keys == null) {
            throw new Refused(
                    "The access token issuer is not trusted.", "iss " + Printable.of(iss, 100) + " not trusted");
        }
        Claim kidClaim = jwt.getHeaderClaim("kid");
        String kid = null;
        if (!kidClaim.isMissing()) {
            kid = kidClaim.asString();
            if (kid == null || !Printable.isVisibleAscii(kid, 256)) {
                throw new Refused(
                        "The access token names an unknown key.",
                        "malformed kid " + Printable.of(String.valueOf(kid), 40));
            }
        }
        JwtAlgorithm algorithm = JwtAlgorithm.named(alg);
        KeySelection selection = keys.select(kid, algorithm == null ? null : algorithm.family());
        if (selection instanceof KeySelection.NotFound notFound) {
            throw new Refused(
                    kid == null ? "The access token names no key." : "The access token names an unknown key.",
                    notFound.reason() + " for iss " + Printable.of(iss, 100));
        }
        JwtKey key = ((KeySelection.Found) selection).key();
        if (!alg.equals(key.algorithm().name())) {
            throw new Refused(
                    "The access token algorithm does not match its key.",
                    "alg " + Printable.of(alg, 16) + " does not match " + key);
        }
        return key;
    }

    /** Checks exp, nbf and iat against {@code now}; returns exp in epoch seconds. */
    private long checkTimes(DecodedJWT jwt, long nowMillis) throws Refused {
        long leewaySeconds = leeway.toSeconds();
        long exp = numericDate(jwt, "exp", true);
        if (nowMillis >= (exp + leewaySeconds) * 1000L) {
            throw new Refused(
                    "The access token expired.",
                    "expired at " + Instant.ofEpochSecond(exp) + " (leeway " + leewaySeconds + "s)");
        }
        long nbf = numericDate(jwt, "nbf", false);
        if (nbf != Long.MIN_VALUE && nowMillis < (nbf - leewaySeconds) * 1000L) {
            throw new Refused(
                    "The access token is not valid yet.",
                    "not before " + Instant.ofEpochSecond(nbf) + " (leeway " + leewaySeconds + "s)");
        }
        long iat = numericDate(jwt, "iat", false);
        if (iat != Long.MIN_VALUE && nowMillis < (iat - leewaySeconds) * 1000L) {
            throw new Refused(
                    "The access token was issued in the future.",
                    "issued at " + Instant.ofEpochSecond(iat) + ", in the future (leeway " + leewaySeconds + "s)");
        }
        return exp;
    }

    /** A NumericDate claim in epoch seconds (fractions dropped), or MIN_VALUE when absent and optional. */
    private static long numericDate(DecodedJWT jwt, String name, boolean required) throws Refused {
        Claim claim = jwt.getClaim(name);
        if (claim.isMissing()) {
            if (required) {
                throw new Refused("The access token has no expiry.", name + " missing");
            }
            return Long.MIN_VALUE;
        }
        Double value = claim.isNull() ? null : claim.asDouble();
        if (value == null) {
            throw new Refused("The access token has an invalid " + name + ".", name + " is not a number");
        }
        if (value < 0 || value > MAX_NUMERIC_DATE) {
            throw new Refused("The access token has an invalid " + name + ".", name + " out of range");
        }
        return (long) Math.floor(value);
    }

    private void checkAudience(DecodedJWT jwt) throws Refused {
        Claim aud = jwt.getClaim("aud");
        List<String> values;
        String single = aud.asString();
        if (single != null) {
            values = List.of(single);
        } else {
            List<String> list = aud.isMissing() || aud.isNull() ? null : listOfStrings(aud);
            if (list == null) {
                throw new Refused(
                        "The access token has no valid audience.", "aud missing or not a string or array of strings");
            }
            values = list;
        }
        for (String value : values) {
            if (audiences.contains(value)) {
                return;
            }
        }
        throw new Refused(
                "The access token is not meant for this service.",
                "aud expected " + sorted(audiences) + " got " + Printable.of(values.toString(), 200));
    }

    private Principal principal(DecodedJWT jwt) throws Refused {
        String subject = headerSafe(jwt, "sub", true);
        Optional<String> tenant = Optional.ofNullable(headerSafe(jwt, tenantClaim, false));
        Optional<String> plan = Optional.ofNullable(headerSafe(jwt, planClaim, false));
        Set<String> scopes = scopes(jwt);
        Map<String, String> claims = new LinkedHashMap<>();
        for (String claim : identityHeaders.claimHeaders().keySet()) {
            String value = headerSafe(jwt, claim, false);
            if (value != null) {
                claims.put(claim, value);
            }
        }
        return new Principal(subject, tenant, scopes, plan, claims, "jwt");
    }

    /** A string claim checked to be visible ASCII (spaces allowed inside) of at most maxClaimLength. */
    private String headerSafe(DecodedJWT jwt, String name, boolean required) throws Refused {
        Claim claim = jwt.getClaim(name);
        if (claim.isMissing() || claim.isNull()) {
            if (required) {
                throw new Refused("The access token has no subject.", name + " missing");
            }
            return null;
        }
        String value = claim.asString();
        if (value == null) {
            throw new Refused("The access token has an invalid " + name + " claim.", name + " is not a string");
        }
        if (!isHeaderSafe(value, maxClaimLength)) {
            throw new Refused(
                    "The access token has an invalid " + name + " claim.",
                    name + " of " + value.length() + " chars is not visible ASCII of at most " + maxClaimLength);
        }
        return value;
    }

    /** {@code scope} (a space-separated string, RFC 9068) or {@code scp} (an array or a string). */
    private Set<String> scopes(DecodedJWT jwt) throws Refused {
        List<String> raw = new ArrayList<>();
        for (String name : List.of("scope", "scp")) {
            Claim claim = jwt.getClaim(name);
            if (claim.isMissing() || claim.isNull()) {
                continue;
            }
            String text = claim.asString();
            List<String> list = text != null ? List.of(text.split(" ")) : listOfStrings(claim);
            if (list == null) {
                throw new Refused(
                        "The access token has an invalid " + name + " claim.",
                        name + " is not a string or array of strings");
            }
            raw.addAll(list);
        }
        Set<String> scopes = new LinkedHashSet<>();
        int total = 0;
        for (String scope : raw) {
            if (scope.isEmpty()) {
                continue;
            }
            total += scope.length() + 1;
            if (!Printable.isVisibleAscii(scope, maxClaimLength) || total > 8 * maxClaimLength) {
                throw new Refused(
                        "The access token has invalid scopes.",
                        "scopes not visible ASCII or longer than " + 8 * maxClaimLength + " chars");
            }
            scopes.add(scope);
        }
        return scopes;
    }

    private static List<String> listOfStrings(Claim claim) {
        try {
            List<Object> items = claim.asList(Object.class);
            if (items == null) {
                return null;
            }
            List<String> strings = new ArrayList<>(items.size());
            for (Object item : items) {
                if (!(item instanceof String text)) {
                    return null;
                }
                strings.add(text);
            }
            return strings;
        } catch (JWTDecodeException e) {
            return null;
        }
    }

    private static boolean isHeaderSafe(String value, int max) {
        if (value.isEmpty()
                || value.length() > max
                || value.charAt(0) == ' '
                || value.charAt(value.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }

    private static Authentication failed(int status, String error, String description, String reason) {
        Problem problem = Problem.of(status, description);
        Headers headers = Headers.of(
                "WWW-Authenticate",
                BEARER_CHALLENGE + " error=\"" + error + "\", error_description=\"" + description + "\"");
        return new Authentication.Failed(Decision.reject(problem, headers).because(reason));
    }

    /**
     * SHA-256 of the token as US-ASCII. The encoder turns any other character into {@code ?}, which no cached
     * (base64url) token contains, so a token with such characters never matches a cached one.
     */
    private static ByteBuffer digest(String token) {
        return ByteBuffer.wrap(DIGESTER.get().sha256.digest(token.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A reusable digest per thread: looking one up by name costs more than digesting a token. */
    private static final class Digester {
        final MessageDigest sha256;

        Digester() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JwtPolicy[issuers=" + issuers.keySet() + ", audiences=" + audiences + "]";
    }

    public static final class Builder {
        private final Map<String, KeySource> issuers = new LinkedHashMap<>();
        private final Set<String> audiences = new LinkedHashSet<>();
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
        private IdentityHeaders identityHeaders = IdentityHeaders.defaults();
        private boolean optional;

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

        public Builder tenantClaim(String claim) {
            this.tenantClaim = requireNonNull(claim, "claim");
            return this;
        }

        public Builder planClaim(String claim) {
            this.planClaim = requireNonNull(claim, "claim");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** How long a verified token is remembered at most (never past its exp); 5 minutes, 10,000 tokens. */
        public Builder cache(Duration ttl, long maxTokens) {
            checkArgument(!ttl.isNegative(), "ttl: %s (expected: >= 0; 0 turns the cache off)", ttl);
            checkArgument(maxTokens >= 0, "maxTokens: %s (expected: >= 0)", maxTokens);
            this.cacheTtl = ttl;
            this.cacheSize = maxTokens;
            return this;
        }

        public Builder identityHeaders(IdentityHeaders identityHeaders) {
            this.identityHeaders = requireNonNull(identityHeaders, "identityHeaders");
            return this;
        }

        /** Lets requests without a token through anonymously; a bad token is still refused. */
        public Builder optional() {
            this.optional = true;
            return this;
        }

        /**
         * @throws IllegalStateException without an issuer or an audience, or on a JDK older than 17.0.3 (whose
         *     ECDSA accepts forged signatures, CVE-2022-21449)
         */
        public JwtPolicy build() {
            checkState(!issuers.isEmpty(), "issuers: none (expected: at least one trusted issuer)");
            checkState(!audiences.isEmpty(), "audiences: none (expected: at least one accepted audience)");
            checkState(
                    Runtime.version().compareToIgnoreOptional(FIXED_ECDSA) >= 0,
                    "Java %s: ECDSA verification accepts forged signatures before 17.0.3 (CVE-2022-21449)",
                    Runtime.version());
            return new JwtPolicy(this);
        }
    }
}
