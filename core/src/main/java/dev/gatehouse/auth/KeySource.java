package dev.gatehouse.auth;

import java.util.List;
import java.util.Optional;

/** Where an issuer's verification keys come from: a static {@link KeySet} or a {@link JwksKeySource}. */
public interface KeySource {
    /**
     * The key with this id. A source that fetches keys may refresh before answering, within its own time and
     * rate bounds; it never throws for an unknown or hostile id.
     */
    Optional<JwtKey> find(String kid);

    /** The keys known now, for tokens without a {@code kid}. */
    List<JwtKey> keys();
}
