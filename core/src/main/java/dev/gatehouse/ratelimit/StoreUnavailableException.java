package dev.gatehouse.ratelimit;

/** A bucket store could not answer (Redis down, timed out): the policy applies its store-failure mode. */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
