package dev.gatehouse.auth;

import dev.gatehouse.internal.Printable;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where an issuer's verification keys come from: a static {@link KeySet} or a {@link JwksKeySource}.
 *
 * <p>How a token selects its key ({@link #select}): a token that names a {@code kid} gets the key with that
 * {@code kid}, or else a key without a {@code kid} that is the only key of its {@linkplain JwtAlgorithm.Family
 * family} (HMAC, RSA, EC, EdDSA) in the source. A token without a {@code kid} gets the only key of its family,
 * with or without a {@code kid} (as jose and java-jwt's JWKS users do); when several keys of its family exist it
 * gets none. Whatever key is selected, the token's {@code alg} must then equal that key's algorithm exactly:
 * selection never widens what a key verifies.
 */
public interface KeySource {
    /**
     * The key with this id. A source that fetches keys may refresh before answering, within its own time and
     * rate bounds; it never throws for an unknown or hostile id.
     */
    Optional<JwtKey> find(String kid);

    /** The keys known now. */
    List<JwtKey> keys();

    /**
     * The key for a token that names {@code kid} (null when its header has none) and whose {@code alg} belongs
     * to {@code family} (null when the {@code alg} is not one Gatehouse supports: then only a {@code kid} can
     * select a key, and the algorithm check refuses the token with a precise reason).
     */
    default KeySelection select(@Nullable String kid, JwtAlgorithm.@Nullable Family family) {
        if (kid != null) {
            Optional<JwtKey> named = find(kid);
            if (named.isPresent()) {
                return new KeySelection.Found(named.get());
            }
        }
        if (family == null) {
            return new KeySelection.NotFound(
                    kid == null ? "no kid and an unsupported alg" : "unknown kid " + Printable.of(kid, 64));
        }
        JwtKey only = null;
        int ofFamily = 0;
        for (JwtKey key : keys()) {
            if (key.algorithm().family() == family) {
                ofFamily++;
                only = key;
            }
        }
        if (ofFamily == 1 && (kid == null || only.kid().isEmpty())) {
            return new KeySelection.Found(only);
        }
        if (kid != null) {
            return new KeySelection.NotFound("unknown kid " + Printable.of(kid, 64));
        }
        return new KeySelection.NotFound("no kid and " + ofFamily + " " + family + " keys");
    }
}
