package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Every policy's decision about one exchange, with its reason, for the access log. The chain records each
 * refusal, replay and reasoned proceed; policies add notes from later hooks ({@code "gzip level 1"}).
 */
public final class DecisionLog {
    /** Where the log of an exchange is kept. */
    public static final AttributeKey<DecisionLog> KEY = AttributeKey.of("gatehouse.decisions", DecisionLog.class);

    private final List<Entry> entries = new ArrayList<>(4);

    private DecisionLog() {}

    /** The exchange's log, created on first use. */
    public static DecisionLog of(Exchange exchange) {
        Optional<DecisionLog> existing = exchange.attribute(KEY);
        if (existing.isPresent()) {
            return existing.get();
        }
        DecisionLog log = new DecisionLog();
        exchange.setAttribute(KEY, log);
        return log;
    }

    /** Records one decision or note: {@code add("jwt", "reject", "expired at 2026-11-22T10:00:00Z")}. */
    public void add(String policy, String outcome, String reason) {
        entries.add(new Entry(policy, outcome, reason));
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /**
     * One line of the log.
     *
     * @param policy the policy's name
     * @param outcome {@code proceed}, {@code reject}, {@code replay} or a policy's own word for a note
     * @param reason why; never a secret or a token
     */
    public record Entry(String policy, String outcome, String reason) {
        public Entry {
            requireNonNull(policy, "policy");
            requireNonNull(outcome, "outcome");
            requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return reason.isEmpty() ? policy + ":" + outcome : policy + ":" + outcome + "(" + reason + ")";
        }
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
