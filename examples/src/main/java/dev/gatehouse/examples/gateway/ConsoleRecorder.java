package dev.gatehouse.examples.gateway;

import dev.gatehouse.ChainListener;
import dev.gatehouse.Completion;
import dev.gatehouse.Exchange;
import java.time.InstantSource;

/**
 * What the admin console shows about live traffic, recorded as each exchange ends: the route's {@link
 * RouteTraffic} and, for a refused request, an entry in the {@link RefusalLog}. The route set gives each route's
 * chain a listener from {@link #listener} that knows the route's name and passes every event on to the chain's own
 * listener (metrics).
 */
final class ConsoleRecorder {
    static final int REFUSALS_KEPT = 50;

    private final RouteTraffic traffic;
    private final RefusalLog refusals;

    ConsoleRecorder(InstantSource clock) {
        this.traffic = new RouteTraffic(clock);
        this.refusals = new RefusalLog(REFUSALS_KEPT, clock);
    }

    RouteTraffic traffic() {
        return traffic;
    }

    RefusalLog refusals() {
        return refusals;
    }

    /** A listener for the chain of {@code route}; with {@code counted} its requests also count as its traffic. */
    ChainListener listener(String route, boolean counted, ChainListener next) {
        return new ChainListener() {
            @Override
            public void onDecision(Exchange exchange, String policy, String outcome, long nanos) {
                next.onDecision(exchange, policy, outcome, nanos);
            }

            @Override
            public void onComplete(Exchange exchange, Completion completion) {
                next.onComplete(exchange, completion);
                if (counted) {
                    traffic.record(route, completion.status(), completion.elapsed());
                }
                refusals.record(route, exchange, completion.status());
            }
        };
    }
}
