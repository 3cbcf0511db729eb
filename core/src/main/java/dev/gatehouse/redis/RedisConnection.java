package dev.gatehouse.redis;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;

/**
 * One Lettuce client and connection as every Redis store uses them: each command bounded by {@code timeout},
 * commands refused at once while disconnected (a dead Redis costs no queueing), reconnection left to Lettuce.
 */
final class RedisConnection implements AutoCloseable {
    final RedisClient client;
    final StatefulRedisConnection<byte[], byte[]> connection;

    private RedisConnection(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {
        this.client = client;
        this.connection = connection;
    }

    /** @throws IllegalStateException when Redis cannot be reached now */
    static RedisConnection open(String url, Duration timeout) {
        RedisClient client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(timeout.multipliedBy(5))
                        .build())
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        try {
            StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            connection.setTimeout(timeout);
            return new RedisConnection(client, connection);
        } catch (RuntimeException e) {
            client.shutdown();
            throw new IllegalStateException("Redis at " + redacted(url) + " is unreachable: " + e.getMessage(), e);
        }
    }

    /** {@code url}, when it is a Redis URL. */
    static String checkUrl(String url) {
        requireNonNull(url, "url");
        checkArgument(
                url.startsWith("redis://") || url.startsWith("rediss://"),
                "url: %s (expected: redis://host:port)",
                redacted(url));
        return url;
    }

    /** {@code timeout}, when it is positive. */
    static Duration checkTimeout(Duration timeout) {
        checkArgument(!timeout.isNegative() && !timeout.isZero(), "commandTimeout: %s (expected: > 0)", timeout);
        return timeout;
    }

    /** The URL without credentials, for messages. */
    static String redacted(String url) {
        return url.replaceAll("//[^@/]*@", "//***@");
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
