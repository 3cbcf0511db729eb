package dev.gatehouse;

import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * One piece of cross-cutting work done in front of a service: authentication, rate limiting, compression,
 * idempotency, request ids, logs.
 *
 * <p>A {@link PolicyChain} calls the three hooks like the layers of an onion. Requests pass outer to inner
 * through {@link #onRequest}; responses unwind inner to outer through {@link #onResponse} and {@link
 * #onComplete}. A policy sees the response hooks if and only if its {@code onRequest} returned {@link
 * Decision.Proceed}, so an outer request-id policy still stamps the 401 that an inner auth policy wrote.
 *
 * <p>Policies are immutable and thread-safe: one instance serves every exchange concurrently. Per-exchange
 * state goes in {@linkplain Exchange#setAttribute attributes}. A trivial policy is a lambda:
 *
 * <pre>{@code
 * OffloadPolicy denyTrace = exchange -> "TRACE".equals(exchange.method())
 *         ? Decision.reject(405, "TRACE is not allowed")
 *         : Decision.proceed();
 * }</pre>
 */
@FunctionalInterface
public interface OffloadPolicy {

    /**
     * Runs before the service, outer policies first: let the request through (maybe with upstream headers to
     * set), refuse it, or answer it from a stored response.
     */
    Decision onRequest(Exchange exchange);

    /**
     * Runs before the response is committed, inner policies first, for the service's response and for
     * refusals or replays decided by inner policies alike: edit headers, install body transforms.
     */
    default void onResponse(Exchange exchange, ResponseHead response) {}

    /**
     * Runs once after the exchange has ended, inner policies first, whatever happened: the service threw,
     * the client went away, the response was refused. For logs, metrics and releasing claims. Must not throw.
     */
    default void onComplete(Exchange exchange, Completion completion) {}

    /**
     * The most bytes of a request body this policy ever reads in {@code onRequest}; 0 when it reads none. The
     * upper bound of {@link #requestBodyLimit(Exchange)}, and what {@link PolicyChain#requestBodyLimit()} reports.
     */
    default int requestBodyLimit() {
        return 0;
    }

    /**
     * How many bytes of this exchange's request body the policy reads in {@code onRequest}; 0 when it reads none
     * of it. The chain asks just before {@code onRequest} (earlier policies have run), buffers the body when the
     * answer is positive — the one place bodies are buffered — and refuses a longer body with 413 in the
     * policy's name; {@code onRequest} then finds it in {@link Exchange#body()}. A policy that needs the body only
     * for some requests (compressed uploads, idempotent POSTs) says so here, so that other requests stream;
     * {@link #requestBodyLimit()} by default.
     */
    default int requestBodyLimit(Exchange exchange) {
        return requestBodyLimit();
    }

    /**
     * What {@code onRequest} would wait for on this exchange, for a host that waits without holding a thread;
     * null (the default) when it would not wait. A {@linkplain dev.gatehouse.host.HostExchange.Builder#nonBlocking()
     * non-blocking} host asks just before {@code onRequest} (earlier policies have run) and, when the answer is a
     * stage, calls {@code onRequest} once it has completed, normally or not; {@code onRequest} must then not wait
     * for it again. Other hosts never ask, and {@code onRequest} waits as it would. The HTTP cache's collapsed
     * misses wait for their leader this way. Must not block, and should be cheap: it runs for every request.
     */
    default @Nullable CompletionStage<?> pending(Exchange exchange) {
        return null;
    }

    /**
     * Request headers that only this policy gives the service (identity headers, say). A {@link RouteTable}
     * that holds this policy on any route removes client copies of them on every route, in any letter case,
     * before any policy runs; none by default.
     */
    default ProtectedHeaders protectedRequestHeaders() {
        return ProtectedHeaders.none();
    }

    /**
     * Where the chain puts this policy: {@link Placement#AS_ADDED} unless the policy is a guard or must answer
     * before the guards (see {@link Placement}).
     */
    default Placement placement() {
        return Placement.AS_ADDED;
    }

    /** A short name for logs and error messages, {@code request-id} for {@code RequestIdPolicy}. */
    default String name() {
        return PolicyNames.of(getClass());
    }
}
