package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixed set of verification keys. It refuses to be built from keys that would make verification ambiguous
 * or unsafe: secrets mixed with public keys, two keys with one {@code kid}, a key without a {@code kid} beside
 * another key of its {@linkplain JwtAlgorithm.Family family} (no token could ever select it unambiguously). A key
 * without a {@code kid} that is alone in its family matches tokens with or without a {@code kid} (see {@link
 * KeySource}).
 */
public final class KeySet implements KeySource {
    private final List<JwtKey> keys;
    private final Map<String, JwtKey> byKid;

    private KeySet(List<JwtKey> keys) {
        checkArgument(!keys.isEmpty(), "keys: none (expected: at least one)");
        boolean secrets = keys.get(0).isSecret();
        Map<String, JwtKey> byKid = new HashMap<>();
        Map<JwtAlgorithm.Family, Integer> perFamily = new EnumMap<>(JwtAlgorithm.Family.class);
        for (JwtKey key : keys) {
            perFamily.merge(key.algorithm().family(), 1, Integer::sum);
        }
        for (JwtKey key : keys) {
            checkArgument(
                    key.isSecret() == secrets,
                    "keys: HMAC secrets mixed with public keys (expected: one kind per key set, so that no token"
                            + " can choose between them)");
            if (key.kid().isPresent()) {
                checkArgument(
                        byKid.put(key.kid().get(), key) == null,
                        "keys: duplicate kid %s (expected: unique key ids)",
                        key.kid().get());
            } else {
                int family = perFamily.get(key.algorithm().family());
                checkArgument(
                        family == 1,
                        "keys: %s without a kid among %s %s keys (expected: a kid on each key of a family with"
                                + " several keys)",
                        key,
                        family,
                        key.algorithm().family());
            }
        }
        this.keys = List.copyOf(keys);
        this.byKid = Map.copyOf(byKid);
    }

    public static KeySet of(JwtKey... keys) {
        return new KeySet(List.of(keys));
    }

    public static KeySet of(List<JwtKey> keys) {
        return new KeySet(keys);
    }

    /**
     * Keys from a JWK Set document ({@code {"keys": [...]}}). Strict: any key that is not a public signature
     * key Gatehouse can use (an {@code enc} key, an unknown {@code kty}, an RSA key under 2048 bits, an EC
     * point off its curve, an {@code alg} that does not fit the key, private members) fails the whole set.
     */
    public static KeySet fromJwks(String json) {
        Jwks.Parsed parsed = Jwks.parse(json, Jwks.Origin.CONFIGURED);
        return new KeySet(parsed.keys());
    }

    @Override
    public Optional<JwtKey> find(String kid) {
        return Optional.ofNullable(byKid.get(kid));
    }

    @Override
    public List<JwtKey> keys() {
        return keys;
    }

    @Override
    public String toString() {
        return "KeySet" + keys;
    }
}
