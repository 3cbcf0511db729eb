package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static dev.gatehouse.internal.Checks.checkState;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.Principal;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Printable;
import dev.gatehouse.internal.QueryParameters;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates requests by API key, for an {@link AuthPolicy}. Keys are held only as SHA-256 digests (configure them as digests, or as
 * plain keys that are digested at once); a presented key is digested, looked up, and the stored digest
 * compared in constant time. Each key has an owner (the principal's subject), a plan (the tier rate limits key
 * on) and optional scopes.
 *
 * <p>The key comes from one header ({@code X-Api-Key} by default); from a query parameter only when that is
 * explicitly enabled, since URLs end up in logs. An unknown key is {@link
 * Authentication.Fault#INVALID_CREDENTIAL} (401), two keys {@link Authentication.Fault#INVALID_REQUEST} (400);
 * a request without a key is {@link Authentication.Absent}. Logs name a key by the first 8 hex digits of its
 * digest, never by the key.
 *
 * <p>Its 401s carry the challenge {@code WWW-Authenticate: ApiKey header="X-Api-Key"} (the configured header):
 * HTTP requires a challenge on every 401, and no scheme is registered for API keys, so this one names where the
 * key goes.
 */
public final class ApiKeyAuthenticator implements Authenticator {
    private static final int MAX_KEY_LENGTH = 512;

    private final String header;
    private final Optional<String> queryParameter;
    private final Map<ByteBuffer, Entry> keys;

    private record Entry(byte[] digest, Principal principal) {}

    private ApiKeyAuthenticator(Builder builder) {
        this.header = builder.header;
        this.queryParameter = builder.queryParameter;
        this.keys = Map.copyOf(builder.keys);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The SHA-256 digest of {@code key}, in lower-case hex: what to store in configuration instead of the key. */
    public static String digestOf(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    @Override
    public Authentication authenticate(Exchange exchange) {
        Headers headers = exchange.requestHeaders();
        int fields = headers.count(header);
        if (fields > 1) {
            return failed(
                    Authentication.Fault.INVALID_REQUEST,
                    "Send one " + header + " header.",
                    fields + " " + header + " fields");
        }
        String key = fields == 1 ? headers.first(header).orElseThrow() : null;
        if (queryParameter.isPresent()) {
            try {
                Optional<String> fromQuery = QueryParameters.single(exchange.query(), queryParameter.get());
                if (fromQuery.isPresent()) {
                    if (key != null) {
                        return failed(
                                Authentication.Fault.INVALID_REQUEST,
                                "Send the API key once.",
                                "API key in header and query");
                    }
                    key = fromQuery.get();
                }
            } catch (IllegalArgumentException e) {
                return failed(
                        Authentication.Fault.INVALID_REQUEST,
                        "Send the API key once.",
                        Printable.of(String.valueOf(e.getMessage()), 120));
            }
        }
        if (key == null) {
            return Authentication.Absent.INSTANCE;
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return failed(
                    Authentication.Fault.INVALID_CREDENTIAL,
                    "The API key is not valid.",
                    "API key of " + key.length() + " chars");
        }
        byte[] digest = sha256(key);
        Entry entry = keys.get(ByteBuffer.wrap(digest));
        if (entry == null || !MessageDigest.isEqual(entry.digest(), digest)) {
            return failed(
                    Authentication.Fault.INVALID_CREDENTIAL,
                    "The API key is not valid.",
                    "unknown API key " + HexFormat.of().formatHex(digest, 0, 4));
        }
        return new Authentication.Authenticated(entry.principal());
    }

    @Override
    public Optional<String> challenge() {
        return Optional.of("ApiKey header=\"" + header + "\"");
    }

    @Override
    public String name() {
        return "api-key";
    }

    private static Authentication failed(Authentication.Fault fault, String description, String reason) {
        return new Authentication.Failed(fault, description, reason);
    }

    private static byte[] sha256(String key) {
        return Digests.sha256(key);
    }

    @Override
    public String toString() {
        return "ApiKeyAuthenticator[header=" + header + ", " + keys.size() + " keys]";
    }

    public static final class Builder {
        private String header = "X-Api-Key";
        private Optional<String> queryParameter = Optional.empty();
        private final Map<ByteBuffer, Entry> keys = new HashMap<>();

        private Builder() {}

        public Builder header(String name) {
            this.header = Headers.checkName(name);
            return this;
        }

        /** Also reads the key from this query parameter. Off by default: URLs are logged by every proxy. */
        public Builder allowQueryParameter(String name) {
            checkArgument(!name.isEmpty(), "name: \"\" (expected: a parameter name)");
            this.queryParameter = Optional.of(name);
            return this;
        }

        /** Accepts {@code key}, which is digested at once; only its digest is kept. */
        public Builder key(String key, String owner, String plan, Set<String> scopes) {
            checkArgument(key.length() >= 16, "key of %s chars (expected: at least 16)", key.length());
            return keyDigest(digestOf(key), owner, plan, scopes);
        }

        /** Accepts the key whose SHA-256 digest (64 hex digits) is {@code sha256Hex}. */
        public Builder keyDigest(String sha256Hex, String owner, String plan, Set<String> scopes) {
            checkArgument(
                    sha256Hex.matches("[0-9a-fA-F]{64}"), "digest: %s (expected: 64 hex digits of SHA-256)", sha256Hex);
            checkArgument(Printable.isVisibleAscii(owner, 256), "owner: %s (expected: 1..256 visible ASCII)", owner);
            checkArgument(Printable.isVisibleAscii(plan, 64), "plan: %s (expected: 1..64 visible ASCII)", plan);
            for (String scope : scopes) {
                checkArgument(
                        Printable.isVisibleAscii(scope, 256), "scope: %s (expected: 1..256 visible ASCII)", scope);
            }
            byte[] digest = HexFormat.of().parseHex(sha256Hex.toLowerCase(Locale.ROOT));
            Principal principal =
                    new Principal(owner, Optional.empty(), scopes, Optional.of(plan), Map.of(), "api-key");
            checkArgument(
                    keys.put(ByteBuffer.wrap(digest), new Entry(digest, principal)) == null,
                    "key for %s: configured twice (expected: each key once)",
                    owner);
            return this;
        }

        /** @throws IllegalStateException without a key */
        public ApiKeyAuthenticator build() {
            checkState(!keys.isEmpty(), "keys: none (expected: at least one)");
            return new ApiKeyAuthenticator(this);
        }
    }
}
