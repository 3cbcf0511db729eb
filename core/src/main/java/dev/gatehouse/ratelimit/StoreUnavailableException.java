package dev.gatehouse.ratelimit;

/** A bucket store could not answer (Redis down, timed out): a {@link ResilientBucketStore} applies its failure mode. */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
