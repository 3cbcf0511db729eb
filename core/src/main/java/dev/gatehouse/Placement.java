package dev.gatehouse;

/**
 * Where a {@link PolicyChain} puts a policy, whatever the order it was added in.
 *
 * <p>Some answers must come before any guard spends anything on a request. A CORS preflight carries no
 * credentials, so behind authentication it would get 401 and no browser could call the route; a client on a
 * deny list must cost neither a rate-limit token nor a token verification. Such policies say {@link
 * #BEFORE_GUARDS}, the guards say {@link #GUARD}, and the chain moves each {@code BEFORE_GUARDS} policy that was
 * added after a guard to just ahead of the first guard, keeping the relative order of the moved policies and of
 * everything else. A user who writes {@code auth, cors} gets {@code cors, auth}; {@code requestIds, cors, auth}
 * stays as written, so the preflight still gets its request id.
 */
public enum Placement {
    /** Where it was added: most policies. */
    AS_ADDED,
    /** Refuses on credentials or cost: authentication, scopes, rate limits, idempotency keys. */
    GUARD,
    /**
     * Answers or refuses before any guard runs (CORS preflights, address rules), or must see the guards' refusals
     * (security headers).
     */
    BEFORE_GUARDS
}
