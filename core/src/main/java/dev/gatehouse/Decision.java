package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a policy decided about a request in {@link OffloadPolicy#onRequest}: let it through to the service,
 * refuse it, or answer it from a stored response.
 *
 * <p>Every decision may carry a reason for the decision log (never sent to the client), such as {@code
 * "expired at 2026-11-22T10:00:00Z"}.
 */
public sealed interface Decision permits Decision.Proceed, Decision.Reject, Decision.Replay {

    /** Why, for operators: written to the decision log, never to the client. */
    Optional<String> reason();

    /** Let the request through unchanged. */
    static Proceed proceed() {
        return Proceed.PLAIN;
    }

    /** Let the request through with these headers; each replaces every client copy of its name. */
    static Proceed proceed(Headers upstreamHeaders) {
        return new Proceed(upstreamHeaders, List.of(), Optional.empty());
    }

    /**
     * Let the request through with {@code upstreamHeaders} set and every field named in {@code
     * removedHeaders} (in any letter case) removed first.
     */
    static Proceed proceed(Headers upstreamHeaders, Collection<String> removedHeaders) {
        return new Proceed(upstreamHeaders, List.copyOf(removedHeaders), Optional.empty());
    }

    /** Refuse with a problem+json body. */
    static Reject reject(Problem problem) {
        return reject(problem, Headers.empty());
    }

    /** Refuse with a problem+json body and extra response headers ({@code Retry-After}, {@code WWW-Authenticate}). */
    static Reject reject(Problem problem, Headers headers) {
        return new Reject(problem.toResponse(headers), Optional.empty());
    }

    /** Refuse with an {@code about:blank} problem whose detail is shown to the client. */
    static Reject reject(int status, String detail) {
        return reject(Problem.of(status, detail));
    }

    /** Answer with a stored response instead of calling the service. */
    static Replay replay(StoredResponse response) {
        return new Replay(response, Optional.empty());
    }

    /**
     * The request goes on to the service.
     *
     * @param upstreamHeaders headers set on the upstream request, each replacing the client's copies
     * @param removedHeaders names removed from the upstream request, in any letter case, before setting
     * @param reason why, for the decision log
     */
    record Proceed(Headers upstreamHeaders, List<String> removedHeaders, Optional<String> reason) implements Decision {
        private static final Proceed PLAIN = new Proceed(Headers.empty(), List.of(), Optional.empty());

        public Proceed {
            upstreamHeaders = upstreamHeaders.immutableCopy();
            removedHeaders = List.copyOf(removedHeaders);
            for (int i = 0; i < removedHeaders.size(); i++) {
                Headers.checkName(removedHeaders.get(i));
            }
            requireNonNull(reason, "reason");
        }

        public boolean editsHeaders() {
            return !upstreamHeaders.isEmpty() || !removedHeaders.isEmpty();
        }

        public Proceed because(String reason) {
            return new Proceed(upstreamHeaders, removedHeaders, Optional.of(reason));
        }
    }

    /**
     * The request is refused; the service never sees it.
     *
     * @param response the refusal, normally a problem+json body
     * @param reason why, for the decision log
     */
    record Reject(StoredResponse response, Optional<String> reason) implements Decision {
        public Reject {
            requireNonNull(response, "response");
            requireNonNull(reason, "reason");
        }

        public int status() {
            return response.status();
        }

        public Headers headers() {
            return response.headers();
        }

        public Reject because(String reason) {
            return new Reject(response, Optional.of(reason));
        }
    }

    /**
     * The request is answered with a response stored earlier; the service never sees it.
     *
     * @param response the stored response, unencoded
     * @param reason why, for the decision log
     */
    record Replay(StoredResponse response, Optional<String> reason) implements Decision {
        public Replay {
            requireNonNull(response, "response");
            requireNonNull(reason, "reason");
        }

        public Replay because(String reason) {
            return new Replay(response, Optional.of(reason));
        }
    }
}
