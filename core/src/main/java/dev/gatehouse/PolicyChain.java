package dev.gatehouse;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * An immutable, thread-safe, ordered list of policies, built once and shared by every exchange.
 *
 * <p>A host runs {@link OffloadPolicy#onRequest} outer to inner until a policy refuses or replays, and later
 * the response hooks, inner to outer, on exactly the policies that proceeded ({@code
 * dev.gatehouse.host.ChainRun}).
 *
 * <p>Recommended order: request id → access log → CORS → IP rules → authentication → rate limit → compression
 * → idempotency. Policies that must answer before any guard ({@link Placement#BEFORE_GUARDS}: CORS, IP rules)
 * are moved ahead of the first {@linkplain Placement#GUARD guard} when added after one, so a preflight never
 * meets authentication whatever order a user writes; {@link #names()} shows the order that runs. The chain checks the policies' contract and names the offender: a policy that throws or
 * returns {@code null} from {@code onRequest}, or that tries to set a framing header upstream, is logged
 * and the request refused with 500; a policy that throws from a response hook is logged and skipped.
 */
public final class PolicyChain {
    /**
     * Set on the exchange when every policy proceeded, so the service is called: policies that record what
     * the service did (idempotency) tell its responses from refusals by other policies.
     */
    public static final AttributeKey<Boolean> PROCEEDED = AttributeKey.of("gatehouse.proceeded", Boolean.class);

    /** Framing and hop-by-hop fields are the host's to write, never a policy's. */
    private static final String[] HOST_OWNED_REQUEST_HEADERS = {
        "Content-Length", "Transfer-Encoding", "Host", "Connection", "Upgrade", "TE", "Trailer"
    };

    private static final PolicyChain EMPTY =
            new PolicyChain(new OffloadPolicy[0], new String[0], System::nanoTime, ChainListener.NONE);

    private final OffloadPolicy[] policies;
    private final String[] names;
    private final int bodyLimit;
    private final LongSupplier nanoClock;
    private final ChainListener listener;

    private PolicyChain(OffloadPolicy[] policies, String[] names, LongSupplier nanoClock, ChainListener listener) {
        this.listener = listener;
        this.policies = policies;
        this.names = names;
        this.nanoClock = nanoClock;
        this.bodyLimit = Arrays.stream(policies)
                .mapToInt(OffloadPolicy::requestBodyLimit)
                .max()
                .orElse(0);
    }

    /**
     * Whether {@code requestHeader} is framing or hop-by-hop, the host's to write: a policy that sets one
     * upstream breaks the chain's contract.
     */
    public static boolean isHostOwned(String requestHeader) {
        for (String owned : HOST_OWNED_REQUEST_HEADERS) {
            if (owned.equalsIgnoreCase(requestHeader)) {
                return true;
            }
        }
        return false;
    }

    /** A chain of these policies, outermost first. */
    public static PolicyChain of(OffloadPolicy... policies) {
        Builder builder = builder();
        Arrays.asList(policies).forEach(builder::add);
        return builder.build();
    }

    /** The chain with no policies: every request goes through untouched. */
    public static PolicyChain empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The largest request body any policy reads; 0 when none does. */
    public int requestBodyLimit() {
        return bodyLimit;
    }

    public int size() {
        return policies.length;
    }

    public List<String> names() {
        return List.of(names);
    }

    /** The policy at {@code index}, outermost first. */
    public OffloadPolicy policy(int index) {
        return policies[index];
    }

    /** The log name of the policy at {@code index}. */
    public String name(int index) {
        return names[index];
    }

    public ChainListener listener() {
        return listener;
    }

    /** The chain's clock for durations. */
    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    @Override
    public String toString() {
        return "PolicyChain" + Arrays.toString(names);
    }

    /** Builds a {@link PolicyChain}; policies are added outermost first. */
    public static final class Builder {
        private final List<OffloadPolicy> policies = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private LongSupplier nanoClock = System::nanoTime;
        private ChainListener listener = ChainListener.NONE;

        private Builder() {}

        /** Adds a policy named by its {@link OffloadPolicy#name()}. */
        public Builder add(OffloadPolicy policy) {
            requireNonNull(policy, "policies[" + policies.size() + "]");
            return add(policy.name(), policy);
        }

        /** Adds a policy under a name of your choice, for a lambda say. */
        public Builder add(String name, OffloadPolicy policy) {
            requireNonNull(name, "name");
            requireNonNull(policy, name);
            checkArgument(!name.isBlank(), "name: \"%s\" (expected: not blank)", name);
            checkArgument(
                    policies.stream().noneMatch(added -> added == policy),
                    "policy: %s (expected: added once; a chain calls each policy once per exchange)",
                    name);
            checkArgument(
                    policy.requestBodyLimit() >= 0,
                    "%s.requestBodyLimit(): %s (expected: >= 0)",
                    name,
                    policy.requestBodyLimit());
            policies.add(policy);
            names.add(name.toLowerCase(Locale.ROOT));
            return this;
        }

        /** Observes decisions and completions, for metrics ({@code MicrometerChainListener}); none by default. */
        public Builder listener(ChainListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /** The clock for durations, {@link System#nanoTime} unless a test injects its own. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** The chain, with {@link Placement#BEFORE_GUARDS} policies moved ahead of the first guard. */
        public PolicyChain build() {
            int firstGuard = -1;
            for (int i = 0; i < policies.size() && firstGuard < 0; i++) {
                firstGuard = policies.get(i).placement() == Placement.GUARD ? i : -1;
            }
            List<Integer> order = new ArrayList<>(policies.size());
            for (int i = 0; i < policies.size(); i++) {
                if (firstGuard >= 0 && i == firstGuard) {
                    for (int later = firstGuard + 1; later < policies.size(); later++) {
                        if (policies.get(later).placement() == Placement.BEFORE_GUARDS) {
                            order.add(later);
                        }
                    }
                }
                if (firstGuard < 0 || i < firstGuard || policies.get(i).placement() != Placement.BEFORE_GUARDS) {
                    order.add(i);
                }
            }
            return new PolicyChain(
                    order.stream().map(policies::get).toArray(OffloadPolicy[]::new),
                    order.stream().map(names::get).toArray(String[]::new),
                    nanoClock,
                    listener);
        }
    }
}
