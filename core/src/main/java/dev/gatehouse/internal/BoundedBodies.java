package dev.gatehouse.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Response bodies of the JDK's {@code HttpClient} read whole, up to a bound: a body past it fails with an {@link
 * IOException} as soon as the bound is crossed and the rest is not read. The JDK's own {@code ofByteArray()} reads
 * without a bound, and a {@code Content-Length} check alone misses chunked bodies: an endpoint that streams without
 * end (broken, or not the one configured) would fill the heap.
 */
public final class BoundedBodies {
    private BoundedBodies() {}

    /** Bodies of at most {@code maxBytes}; a declared or read length past it fails the response. */
    public static HttpResponse.BodyHandler<byte[]> upTo(int maxBytes) {
        Checks.checkArgument(maxBytes > 0, "maxBytes: %s (expected: > 0)", maxBytes);
        return info -> {
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            Subscriber subscriber = new Subscriber(maxBytes);
            if (declared > maxBytes) {
                subscriber.body.completeExceptionally(
                        new IOException("body of " + declared + " bytes (expected: at most " + maxBytes + ")"));
            }
            return subscriber;
        };
    }

    /** Collects up to the bound; past it cancels the subscription and fails the body. */
    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
        private final int maxBytes;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
        private Flow.@org.jspecify.annotations.Nullable Subscription subscription;

        Subscriber(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (body.isDone()) {
                subscription.cancel(); // refused by its declared length: nothing is read
            } else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (collected.size() + (long) buffer.remaining() > maxBytes) {
                    java.util.Objects.requireNonNull(subscription).cancel();
                    body.completeExceptionally(new IOException("body over " + maxBytes + " bytes"));
                    return;
                }
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                collected.write(bytes, 0, bytes.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(collected.toByteArray());
        }
    }
}
