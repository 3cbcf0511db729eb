package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How an exchange ended, handed to {@link OffloadPolicy#onComplete}.
 *
 * @param status the status sent to the client (500 when the service failed before a status was sent)
 * @param elapsed from the start of the chain to the end of the response
 * @param failure what made the exchange fail, if anything did: the service threw, the client went away
 */
public record Completion(int status, Duration elapsed, Optional<Throwable> failure) {
    public Completion {
        requireNonNull(elapsed, "elapsed");
        requireNonNull(failure, "failure");
    }

    public boolean failed() {
        return failure.isPresent();
    }
}
