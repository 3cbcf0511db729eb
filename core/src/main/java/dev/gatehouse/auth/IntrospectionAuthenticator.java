package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static dev.gatehouse.internal.Checks.checkState;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.Exchange;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Printable;
import dev.gatehouse.internal.Throwables;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Authenticates opaque bearer tokens by asking the authorization server (RFC 7662 token introspection), for an
 * {@link AuthPolicy}. The gateway authenticates itself to the endpoint with {@code client_secret_basic} or a
 * bearer token of its own, and posts {@code token=…&token_type_hint=access_token}.
 *
 * <ul>
 *   <li>An active token whose {@code exp}/{@code nbf} hold, whose {@code iss} and {@code aud} match when
 *       required, becomes a principal: {@code sub} (else {@code client_id}), {@code scope}, tenant and plan
 *       members. An inactive or mismatched token is 401 {@code invalid_token}.
 *   <li>Verdicts are cached by the token's exact text: a pass until {@code min(exp, now + cacheTtl)} (5 minutes
 *       by default), a refusal for {@code negativeCacheTtl} (10 s). Concurrent requests with the same uncached
 *       token share one call to the endpoint.
 *   <li>Each call is bounded by {@code timeout} (2 s). When the endpoint is down, slow, answers other than 200
 *       or sends something that is not an introspection answer, nothing is cached and the request is never
 *       admitted: 503 with {@code Retry-After} by default, or 401 with {@link
 *       EndpointFailureMode#INVALID_TOKEN}.
 *   <li>Tokens are never logged: reasons name a token by the first 8 hex digits of its SHA-256.
 * </ul>
 */
public final class IntrospectionAuthenticator implements Authenticator {
    private static final Optional<String> CHALLENGE = Optional.of("Bearer");

    /** What the client gets when the introspection endpoint cannot answer; never a pass. */
    public enum EndpointFailureMode {
        /** 503 with {@code Retry-After}: the client may retry the same token. The default. */
        SERVICE_UNAVAILABLE,
        /** 401 {@code invalid_token}, for clients that handle nothing else. */
        INVALID_TOKEN
    }

    private final IntrospectionEndpoint endpoint;
    private final IntrospectionCheck check;
    private final AsyncCache<String, IntrospectionCheck.Verdict> verdicts;
    private final Clock clock;
    private final int maxTokenLength;
    private final EndpointFailureMode failureMode;
    private final long retryAfterSeconds;

    private IntrospectionAuthenticator(Builder builder) {
        this.endpoint = new IntrospectionEndpoint(
                builder.endpoint,
                builder.httpClient,
                builder.clientAuthorization,
                builder.timeout,
                builder.tenantMember,
                builder.planMember);
        this.check = new IntrospectionCheck(builder.issuer, builder.audiences, builder.cacheTtl, builder.negativeTtl);
        // Upkeep on the calling thread, as in every core cache; a failed call is dropped by the cache itself.
        this.verdicts = Caffeine.newBuilder()
                .maximumSize(builder.cacheSize)
                .executor(Runnable::run)
                .buildAsync();
        this.clock = builder.clock;
        this.maxTokenLength = builder.maxTokenLength;
        this.failureMode = builder.failureMode;
        this.retryAfterSeconds = builder.retryAfter.toSeconds();
    }

    public static Builder builder(URI endpoint) {
        return new Builder(endpoint);
    }

    @Override
    public Authentication authenticate(Exchange exchange) {
        String authorization;
        try {
            authorization = BearerToken.authorization(exchange.requestHeaders());
        } catch (JwtRefusal refusal) {
            return new Authentication.Failed(
                    Authentication.Fault.INVALID_REQUEST, refusal.description(), refusal.reason());
        }
        if (authorization == null) {
            return Authentication.Absent.INSTANCE;
        }
        String token = BearerToken.token(authorization);
        if (!Printable.isVisibleAscii(token, maxTokenLength)) {
            return new Authentication.Failed(
                    Authentication.Fault.INVALID_CREDENTIAL,
                    "The access token is not valid.",
                    "token of " + token.length() + " chars is not 1.." + maxTokenLength + " visible ASCII");
        }
        return verdict(token);
    }

    private Authentication verdict(String token) {
        String hash = HexFormat.of().formatHex(Digests.sha256(token), 0, 4);
        for (int attempt = 0; attempt < 2; attempt++) {
            CompletableFuture<IntrospectionCheck.Verdict> pending = verdicts.get(
                    token,
                    (key, executor) ->
                            endpoint.introspect(key).thenApply(info -> check.judge(info, clock.millis(), hash)));
            IntrospectionCheck.Verdict verdict;
            try {
                verdict = pending.join();
            } catch (CompletionException | CancellationException e) {
                return endpointFailed(hash, Throwables.rootMessage(e));
            }
            if (clock.millis() < verdict.validUntilMillis()) {
                return verdict.authentication();
            }
            verdicts.asMap().remove(token, pending);
        }
        return endpointFailed(hash, "the verdict expired as soon as it was made");
    }

    private Authentication endpointFailed(String hash, String cause) {
        String reason = "introspection at " + endpoint + " failed for token " + hash + ": " + Printable.of(cause, 200);
        return failureMode == EndpointFailureMode.SERVICE_UNAVAILABLE
                ? new Authentication.Unavailable(
                        "The access token cannot be checked right now; retry later.", reason, retryAfterSeconds)
                : new Authentication.Failed(
                        Authentication.Fault.INVALID_CREDENTIAL, "The access token could not be checked.", reason);
    }

    @Override
    public Optional<String> challenge() {
        return CHALLENGE;
    }

    @Override
    public String name() {
        return "introspection";
    }

    @Override
    public String toString() {
        return "IntrospectionAuthenticator[" + endpoint + "]";
    }

    public static final class Builder {
        private final URI endpoint;
        private String clientAuthorization;
        private HttpClient httpClient;
        private Duration timeout = Duration.ofSeconds(2);
        private Duration cacheTtl = Duration.ofMinutes(5);
        private Duration negativeTtl = Duration.ofSeconds(10);
        private long cacheSize = 10_000;
        private int maxTokenLength = 4096;
        private Optional<String> issuer = Optional.empty();
        private final Set<String> audiences = new LinkedHashSet<>();
        private String tenantMember = "tenant";
        private String planMember = "plan";
        private EndpointFailureMode failureMode = EndpointFailureMode.SERVICE_UNAVAILABLE;
        private Duration retryAfter = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();

        private Builder(URI endpoint) {
            requireNonNull(endpoint, "endpoint");
            checkArgument(
                    "https".equals(endpoint.getScheme()) || "http".equals(endpoint.getScheme()),
                    "endpoint: %s (expected: an http or https URL)",
                    endpoint);
            this.endpoint = endpoint;
        }

        /** Authenticates the gateway to the endpoint with HTTP Basic ({@code client_secret_basic}). */
        public Builder clientSecretBasic(String clientId, String clientSecret) {
            checkArgument(!clientId.isEmpty(), "clientId: \"\" (expected: the gateway's client id)");
            checkArgument(!clientSecret.isEmpty(), "clientSecret: \"\" (expected: the gateway's client secret)");
            this.clientAuthorization = IntrospectionEndpoint.basic(clientId, clientSecret);
            return this;
        }

        /** Authenticates the gateway to the endpoint with a bearer token of its own. */
        public Builder bearerToken(String token) {
            checkArgument(Printable.isVisibleAscii(token, 8192), "token: (expected: 1..8192 visible ASCII)");
            this.clientAuthorization = "Bearer " + token;
            return this;
        }

        /** The HTTP client for the calls; a new one with a 2 s connect timeout by default. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = requireNonNull(httpClient, "httpClient");
            return this;
        }

        /** How long one call may take, connection included; 2 s by default. */
        public Builder timeout(Duration timeout) {
            checkArgument(
                    timeout.compareTo(Duration.ofMillis(10)) >= 0 && timeout.compareTo(Duration.ofMinutes(1)) <= 0,
                    "timeout: %s (expected: 10 ms..1 minute)",
                    timeout);
            this.timeout = timeout;
            return this;
        }

        /**
         * How long a pass is remembered at most (never past the token's exp), how long a refusal is remembered,
         * and how many verdicts are kept; 5 minutes, 10 s and 10,000 by default.
         */
        public Builder cache(Duration ttl, Duration negativeTtl, long maxTokens) {
            checkArgument(!ttl.isNegative(), "ttl: %s (expected: >= 0)", ttl);
            checkArgument(
                    !negativeTtl.isNegative() && negativeTtl.compareTo(ttl) <= 0,
                    "negativeTtl: %s (expected: 0..ttl)",
                    negativeTtl);
            checkArgument(maxTokens >= 1, "maxTokens: %s (expected: >= 1)", maxTokens);
            this.cacheTtl = ttl;
            this.negativeTtl = negativeTtl;
            this.cacheSize = maxTokens;
            return this;
        }

        /** Tokens longer than this are refused without a call; 4096 by default. */
        public Builder maxTokenLength(int maxTokenLength) {
            checkArgument(
                    maxTokenLength >= 16 && maxTokenLength <= 65536,
                    "maxTokenLength: %s (expected: 16..65536)",
                    maxTokenLength);
            this.maxTokenLength = maxTokenLength;
            return this;
        }

        /** Requires the answer's {@code iss} to be exactly {@code issuer}; not checked by default. */
        public Builder issuer(String issuer) {
            checkArgument(!issuer.isEmpty(), "issuer: \"\" (expected: the exact iss value)");
            this.issuer = Optional.of(issuer);
            return this;
        }

        /** Requires the answer's {@code aud} to name one of the audiences given; not checked without one. */
        public Builder audience(String audience) {
            checkArgument(!audience.isEmpty(), "audience: \"\" (expected: the exact aud value)");
            audiences.add(audience);
            return this;
        }

        /** The answer members that name the principal's tenant and plan; {@code tenant} and {@code plan}. */
        public Builder members(String tenantMember, String planMember) {
            this.tenantMember = requireNonNull(tenantMember, "tenantMember");
            this.planMember = requireNonNull(planMember, "planMember");
            return this;
        }

        /** What a request gets when the endpoint cannot answer, and the Retry-After of a 503 (5 s). */
        public Builder onEndpointFailure(EndpointFailureMode mode, Duration retryAfter) {
            checkArgument(
                    !retryAfter.isNegative() && retryAfter.compareTo(Duration.ofHours(1)) <= 0,
                    "retryAfter: %s (expected: 0..1 hour)",
                    retryAfter);
            this.failureMode = requireNonNull(mode, "mode");
            this.retryAfter = retryAfter;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** @throws IllegalStateException without client authentication */
        public IntrospectionAuthenticator build() {
            checkState(
                    clientAuthorization != null,
                    "client authentication: none (expected: clientSecretBasic(id, secret) or bearerToken(token))");
            if (httpClient == null) {
                httpClient = HttpClient.newBuilder()
                        .connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
            }
            return new IntrospectionAuthenticator(this);
        }
    }
}
