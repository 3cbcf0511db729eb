package dev.gatehouse;

/**
 * Observes a chain's exchanges, for metrics: every policy's decision with the time its {@code onRequest} took,
 * and every exchange's completion. Called on the exchange's thread; must be fast and must not throw (a listener
 * that throws is logged and ignored). Set one with {@link PolicyChain.Builder#listener}.
 */
public interface ChainListener {
    /** The listener that observes nothing; the chain then reads no clock per policy. */
    ChainListener NONE = new ChainListener() {};

    /**
     * {@code policy} decided {@code decision} for {@code exchange}; {@code outcome} is {@code proceed}, {@code
     * reject} or {@code replay}.
     */
    default void onDecision(Exchange exchange, String policy, String outcome, long nanos) {}

    /** The exchange ended (after every policy's {@code onComplete}). */
    default void onComplete(Exchange exchange, Completion completion) {}
}
