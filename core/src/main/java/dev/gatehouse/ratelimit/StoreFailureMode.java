package dev.gatehouse.ratelimit;

/** What a {@link ResilientBucketStore} does for a request while its store cannot answer. */
public enum StoreFailureMode {
    /** Admit the request unlimited (Envoy, Kong and Spring Cloud Gateway do this by default). */
    OPEN,
    /** Refuse it: the policy answers 503. */
    CLOSED,
    /** Count it in a bucket local to this instance until the store is back. */
    LOCAL_FALLBACK
}
