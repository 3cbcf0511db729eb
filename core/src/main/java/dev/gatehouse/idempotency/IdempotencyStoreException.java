package dev.gatehouse.idempotency;

/** The idempotency store could not answer; a {@link ResilientIdempotencyStore} fails closed (503) or open, as configured. */
public final class IdempotencyStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IdempotencyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
