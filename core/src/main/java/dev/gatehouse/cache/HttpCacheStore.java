package dev.gatehouse.cache;

import java.util.List;

/**
 * Where an {@link HttpCachePolicy} keeps responses: by primary key (the target URI), each key with the variants
 * its {@code Vary} fields select. Implementations are thread-safe and bound what they hold; a response may be
 * dropped at any time, which costs only a call to the service.
 */
public interface HttpCacheStore {

    /** The variants stored for {@code key}, newest first; empty when none. */
    List<CachedResponse> variants(String key);

    /**
     * Stores {@code response} under {@code key}, replacing the variant with the same {@link
     * CachedResponse#variant()} and {@link CachedResponse#varyNames()}.
     */
    void put(String key, CachedResponse response);

    /** Removes every variant of {@code key}; true when there was one. */
    boolean remove(String key);

    /** Removes every key that starts with {@code prefix}; returns how many keys went. */
    int removeByPrefix(String prefix);
}
