package dev.gatehouse.host;

import dev.gatehouse.ChainListener;
import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.DecisionLog;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Problem;
import dev.gatehouse.ProtectedHeaders;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.Route;
import dev.gatehouse.RouteTable;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.internal.NameSet;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange's passage through a {@link PolicyChain}: the outcome of the request hooks, and the way back
 * through the response hooks of the policies that proceeded. Hosts call {@link #onResponse} just before
 * committing the response and {@link #onComplete} once it has ended; both run at most once, whatever the
 * host does.
 */
public final class ChainRun {
    private static final Logger log = LoggerFactory.getLogger(PolicyChain.class);

    private final PolicyChain chain;
    private final Exchange exchange;
    private final long startNanos;
    private int entered;
    private Decision outcome = Decision.proceed();
    private Set<String> editedRequestHeaders = Set.of();
    private boolean responded;
    private boolean completed;
    /**
     * While the request hooks wait (a non-blocking host's): the policy they stopped before, and what for, the
     * most bytes of body it reads or the stage it has pending.
     */
    private int pausedAt = -1;

    private int awaitedBody;
    private @Nullable CompletionStage<?> awaited;
    /** The policy whose pending stage was waited for: on resuming, its {@code onRequest} runs without asking again. */
    private int waitedAt = -1;

    private ChainRun(PolicyChain chain, Exchange exchange, long startNanos) {
        this.chain = chain;
        this.exchange = exchange;
        this.startNanos = startNanos;
    }

    /**
     * Chooses the route for {@code exchange} and runs its chain's request hooks. Before any policy runs, the
     * route table's {@linkplain RouteTable#protectedRequestHeaders() protected headers} (the identity headers,
     * say) are removed from the client's request in any letter case and {@code _} spelling, on every route.
     */
    public static ChainRun start(RouteTable routes, Exchange exchange) {
        Route route = routes.select(exchange.method(), exchange.path());
        exchange.setAttribute(Route.KEY, route);
        ChainRun run = new ChainRun(route.chain(), exchange, route.chain().nanoTime());
        run.removeClientCopies(routes.protectedRequestHeaders());
        run.runRequestHooks();
        return run;
    }

    /** Runs the request hooks of {@code chain} alone, without a route table (and its header hygiene). */
    public static ChainRun start(PolicyChain chain, Exchange exchange) {
        ChainRun run = new ChainRun(chain, exchange, chain.nanoTime());
        run.runRequestHooks();
        return run;
    }

    private void removeClientCopies(ProtectedHeaders protectedHeaders) {
        List<String> copies = protectedHeaders.clientCopies(exchange.requestHeaders());
        if (copies.isEmpty()) {
            return;
        }
        editedRequestHeaders = editedNames();
        for (String name : copies) {
            exchange.requestHeaders().remove(name);
            editedRequestHeaders.add(name);
        }
        DecisionLog.of(exchange).add("route", "proceed", "removed client copies of " + copies);
    }

    /** A set for the edited names, which a host's exchange shows to the policies that follow. */
    private Set<String> editedNames() {
        NameSet names = new NameSet();
        if (exchange instanceof HostExchange host) {
            host.showEdited(names);
        }
        return names;
    }

    /**
     * The most bytes of body a policy waits for, or 0. Non-zero only on a {@linkplain
     * HostExchange.Builder#nonBlocking() non-blocking} host's exchange: the request hooks stopped before the first
     * policy that reads the body, and the host now reads it as it arrives (up to one byte more than this, so that
     * a longer one shows), {@linkplain HostExchange#supplyBody supplies} it and calls {@link #resume()}. Until then
     * the run has no outcome: {@link #answer()} and the response hooks must wait.
     */
    public int awaitedBody() {
        return awaitedBody;
    }

    /**
     * What a policy has pending ({@link OffloadPolicy#pending}), on a {@linkplain
     * HostExchange.Builder#nonBlocking() non-blocking} host's exchange: the request hooks stopped before that
     * policy, and the host calls {@link #resume()} once the stage completes, normally or not, on a thread that may
     * block. Empty when they did not stop for one.
     */
    public Optional<CompletionStage<?>> awaited() {
        return Optional.ofNullable(awaited);
    }

    /**
     * Goes on with the request hooks from the policy they stopped before: with the body now supplied (read from
     * what the host supplied, and refused as it would have been when read directly: 413 past the limit, 400 for
     * a body the client framed badly), or with its pending stage complete.
     *
     * @throws IllegalStateException when the run is not waiting, or waits for a body not yet supplied
     */
    public void resume() {
        if (pausedAt < 0) {
            throw new IllegalStateException("the request hooks are not waiting");
        }
        if (awaitedBody > 0 && exchange instanceof HostExchange host && host.awaitsBody()) {
            throw new IllegalStateException("resume() before the body was supplied (HostExchange.supplyBody)");
        }
        int from = pausedAt;
        pausedAt = -1;
        awaitedBody = 0;
        awaited = null;
        runRequestHooks(from);
    }

    void runRequestHooks() {
        runRequestHooks(0);
    }

    private void runRequestHooks(int from) {
        for (int i = from; i < chain.size(); i++) {
            OffloadPolicy policy = chain.policy(i);
            String name = chain.name(i);
            Optional<Decision.Reject> refusal = bufferBodyFor(policy, name);
            if (refusal.isPresent()) {
                record(name, refusal.get());
                outcome = refusal.get();
                return;
            }
            if (awaitedBody > 0) {
                pausedAt = i;
                return;
            }
            if (i != waitedAt && exchange instanceof HostExchange host && host.nonBlocking()) {
                CompletionStage<?> pending = pendingOf(policy, name);
                if (pending != null) {
                    awaited = pending;
                    waitedAt = i;
                    pausedAt = i;
                    return;
                }
            }
            ChainListener listener = chain.listener();
            long start = listener == ChainListener.NONE ? 0 : chain.nanoTime();
            Decision decision = decide(policy, name);
            record(name, decision);
            if (listener != ChainListener.NONE) {
                notifyDecision(listener, name, decision, chain.nanoTime() - start);
            }
            if (!(decision instanceof Decision.Proceed proceed)) {
                outcome = decision;
                return;
            }
            entered = i + 1;
            applyEdits(proceed);
        }
        exchange.setAttribute(PolicyChain.PROCEEDED, Boolean.TRUE);
    }

    /**
     * Buffers the body for a policy that reads up to {@link OffloadPolicy#requestBodyLimit(Exchange)} bytes of
     * this exchange's: read once, for the first such policy; a later one finds it buffered (or replaced, as
     * inflated by request decompression) and only its length is checked. The one 413 for bodies too long for a
     * policy.
     */
    private Optional<Decision.Reject> bufferBodyFor(OffloadPolicy policy, String name) {
        int limit;
        try {
            limit = policy.requestBodyLimit(exchange);
        } catch (RuntimeException e) {
            log.error("policy {} failed in requestBodyLimit for {}", name, exchange, e);
            return Optional.of(Decision.reject(Problem.of(500)).because("policy failed: " + e));
        }
        if (limit <= 0) {
            return Optional.empty();
        }
        long declared = declaredLength();
        if (declared > limit) {
            // Refused before a byte is read: no 100 Continue goes out, and the client need not send it all.
            return Optional.of(Decision.reject(413, "The request body is larger than " + limit + " bytes.")
                    .because("declared request body of " + declared + " bytes, over " + limit));
        }
        if (exchange instanceof HostExchange host && host.awaitsBody()) {
            awaitedBody = limit;
            return Optional.empty();
        }
        try {
            if (exchange.bufferBody(limit)) {
                return Optional.empty();
            }
            return Optional.of(Decision.reject(413, "The request body is larger than " + limit + " bytes.")
                    .because("request body over " + limit + " bytes"));
        } catch (IOException e) {
            return Optional.of(Decision.reject(400, "The request body could not be read.")
                    .because("request body unreadable: " + e));
        }
    }

    /**
     * The body's declared {@code Content-Length}, or -1: none, not a number, or a body sent encoded (request
     * decompression replaces it, and the length checked is the inflated one's).
     */
    private long declaredLength() {
        Headers headers = exchange.requestHeaders();
        if (headers.contains("Content-Encoding")) {
            return -1;
        }
        String value = headers.first("Content-Length").orElse("");
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(value);
    }

    /** The policy's pending stage, or null; a policy that fails to say has nothing pending (it is logged). */
    private @Nullable CompletionStage<?> pendingOf(OffloadPolicy policy, String name) {
        try {
            return policy.pending(exchange);
        } catch (RuntimeException e) {
            log.error("policy {} failed in pending for {}", name, exchange, e);
            return null;
        }
    }

    private Decision decide(OffloadPolicy policy, String name) {
        Decision decision;
        try {
            decision = policy.onRequest(exchange);
        } catch (RuntimeException e) {
            log.error("policy {} failed in onRequest for {}", name, exchange, e);
            return Decision.reject(Problem.of(500)).because("policy failed: " + e);
        }
        if (decision == null) {
            return contractBroken(name, "returned null from onRequest (expected: a Decision)");
        }
        if (decision instanceof Decision.Proceed proceed) {
            for (int i = 0; i < proceed.upstreamHeaders().size(); i++) {
                String header = proceed.upstreamHeaders().name(i);
                if (PolicyChain.isHostOwned(header)) {
                    return contractBroken(
                            name,
                            "set " + header + " on the upstream request (expected: no framing or hop-by-hop header)");
                }
            }
        }
        return decision;
    }

    private Decision contractBroken(String name, String what) {
        log.error("policy {} {}", name, what);
        return Decision.reject(Problem.of(500)).because("policy " + what);
    }

    private void applyEdits(Decision.Proceed proceed) {
        if (!proceed.editsHeaders()) {
            return;
        }
        if (editedRequestHeaders.isEmpty()) {
            editedRequestHeaders = editedNames();
        }
        Headers headers = exchange.requestHeaders();
        for (String removed : proceed.removedHeaders()) {
            headers.remove(removed);
            editedRequestHeaders.add(removed);
        }
        Headers set = proceed.upstreamHeaders();
        headers.setAll(set);
        for (int i = 0; i < set.size(); i++) {
            editedRequestHeaders.add(set.name(i));
        }
    }

    private void notifyDecision(ChainListener listener, String name, Decision decision, long nanos) {
        try {
            listener.onDecision(exchange, name, outcomeName(decision), nanos);
        } catch (RuntimeException e) {
            log.warn("chain listener failed in onDecision", e);
        }
    }

    private static String outcomeName(Decision decision) {
        return decision instanceof Decision.Proceed
                ? "proceed"
                : decision instanceof Decision.Reject ? "reject" : "replay";
    }

    private void record(String name, Decision decision) {
        if (decision instanceof Decision.Proceed && decision.reason().isEmpty()) {
            return;
        }
        DecisionLog.of(exchange)
                .add(name, outcomeName(decision), decision.reason().orElse(""));
    }

    public Exchange exchange() {
        return exchange;
    }

    private void checkNotWaiting() {
        if (pausedAt >= 0) {
            throw new IllegalStateException("the request hooks wait (awaitedBody(), awaited()): resume() first");
        }
    }

    /** {@link Decision.Proceed} with the merged header edits, or the refusal or replay that ended the request hooks. */
    public Decision outcome() {
        checkNotWaiting();
        return outcome;
    }

    /** True when the service should be called. */
    public boolean proceeds() {
        return outcome() instanceof Decision.Proceed;
    }

    /** The response to write instead of calling the service: a refusal or a replay. */
    public Optional<StoredResponse> answer() {
        checkNotWaiting();
        if (outcome instanceof Decision.Reject reject) {
            return Optional.of(reject.response());
        }
        if (outcome instanceof Decision.Replay replay) {
            return Optional.of(replay.response());
        }
        return Optional.empty();
    }

    /**
     * The request header names that policies set or removed; {@code contains} ignores letter case. For each,
     * the host replaces the client's fields, in any letter case, with {@code
     * exchange().requestHeaders().all(name)}.
     */
    public Set<String> editedRequestHeaders() {
        return Collections.unmodifiableSet(editedRequestHeaders);
    }

    /** Runs the response hooks, innermost policy first; only the first call has an effect. */
    public void onResponse(ResponseHead head) {
        if (responded) {
            return;
        }
        responded = true;
        for (int i = entered - 1; i >= 0; i--) {
            try {
                chain.policy(i).onResponse(exchange, head);
            } catch (RuntimeException e) {
                log.error("policy {} failed in onResponse for {}", chain.name(i), exchange, e);
            }
        }
    }

    /** Runs the completion hooks, innermost policy first; only the first call has an effect. */
    public void onComplete(int status, Optional<Throwable> failure) {
        if (completed) {
            return;
        }
        completed = true;
        Completion completion = new Completion(status, Duration.ofNanos(chain.nanoTime() - startNanos), failure);
        for (int i = entered - 1; i >= 0; i--) {
            try {
                chain.policy(i).onComplete(exchange, completion);
            } catch (RuntimeException e) {
                log.error(
                        "policy {} threw from onComplete (expected: never throws) for {}", chain.name(i), exchange, e);
            }
        }
        if (chain.listener() != ChainListener.NONE) {
            try {
                chain.listener().onComplete(exchange, completion);
            } catch (RuntimeException e) {
                log.warn("chain listener failed in onComplete", e);
            }
        }
    }

    public boolean isComplete() {
        return completed;
    }

    @Override
    public String toString() {
        return "ChainRun[" + exchange + ", " + entered + "/" + chain.size() + " proceeded, "
                + outcome.getClass().getSimpleName() + "]";
    }
}
