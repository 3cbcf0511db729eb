package dev.gatehouse.jetty;

import static dev.gatehouse.jetty.Handlers.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.PolicyChain;
import dev.gatehouse.RouteTable;
import dev.gatehouse.cache.HttpCachePolicy;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;

/**
 * Collapsed cache misses wait for their leader without a thread: a hundred requests for one slow cache fill leave
 * the server's threads to everyone else, and all get the one response when it comes.
 */
class OffloadHandlerCollapseTest {
    private static final int THREADS = 20;

    private final AtomicInteger slowCalls = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    /** {@code /slow} answers once the test releases it, cacheable; anything else at once. */
    private final Handler service = Handlers.of((request, response, callback) -> {
        if (request.getHttpURI().getPath().equals("/slow")) {
            slowCalls.incrementAndGet();
            release.await(20, TimeUnit.SECONDS);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "public, max-age=60");
            response.write(true, utf8("filled " + slowCalls.get()), callback);
        } else {
            response.write(true, utf8("other"), callback);
        }
        return true;
    });

    @Test
    void followersOfASlowCacheFillHoldNoThreadAndAllGetTheOneResponse() throws Exception {
        HttpCachePolicy cache = HttpCachePolicy.builder(InMemoryHttpCacheStore.of(1 << 20))
                .collapseTimeout(Duration.ofSeconds(15))
                .build();
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try (TestServer server = TestServer.offloading(RouteTable.of(PolicyChain.of(cache)), service, THREADS)) {
            List<CompletableFuture<HttpResponse<String>>> followers = new ArrayList<>();
            CompletableFuture<HttpResponse<String>> leader = client.sendAsync(
                    HttpRequest.newBuilder(server.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
            while (slowCalls.get() == 0) {
                Thread.sleep(10);
            }
            // Three times as many as the server has threads, all for what the leader is fetching.
            for (int i = 0; i < 3 * THREADS; i++) {
                followers.add(client.sendAsync(
                        HttpRequest.newBuilder(server.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(500);

            long start = System.nanoTime();
            HttpResponse<String> other = client.send(
                    HttpRequest.newBuilder(server.uri("/other"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.body()).isEqualTo("other");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

            release.countDown();
            assertThat(leader.get(10, TimeUnit.SECONDS).body()).isEqualTo("filled 1");
            for (CompletableFuture<HttpResponse<String>> follower : followers) {
                HttpResponse<String> response = follower.get(10, TimeUnit.SECONDS);
                assertThat(response.body()).isEqualTo("filled 1");
                assertThat(response.headers().firstValue("Cache-Status"))
                        .hasValueSatisfying(
                                status -> assertThat(status).contains("hit").contains("collapsed"));
            }
            assertThat(slowCalls).hasValue(1);
        }
    }
}
