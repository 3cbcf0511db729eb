package dev.gatehouse.jaxrs;

import dev.gatehouse.ResponseHead;
import dev.gatehouse.host.ChainRun;
import org.jspecify.annotations.Nullable;

/** What the filters and the interceptor of one exchange share, as a request property. */
final class ExchangeState {
    static final String PROPERTY = "dev.gatehouse.jaxrs.exchange";

    final ChainRun run;

    @Nullable
    ResponseHead head;

    ExchangeState(ChainRun run) {
        this.run = run;
    }
}
