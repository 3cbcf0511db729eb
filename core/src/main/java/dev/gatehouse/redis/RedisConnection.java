package dev.gatehouse.redis;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One Lettuce client and connection as every Redis store uses them, to a standalone Redis ({@code redis://},
 * {@code rediss://}), a Sentinel group ({@code redis-sentinel://host:26379,host2:26379#mymaster}: Lettuce follows
 * failovers to the new master) or a Redis Cluster ({@code redis-cluster://host:7000,host:7001}, or
 * {@code rediss-cluster://} with TLS: any reachable nodes as seeds; commands go to the node of their key, and the
 * topology is refreshed on redirects and periodically). Every store operation touches one key, so no hash tags
 * are needed. Each command is bounded by {@code timeout}; on a standalone or Sentinel connection commands are
 * refused at once while disconnected (a dead Redis costs no queueing), on a cluster a command waits at most the
 * timeout for its node's connection. Reconnection is left to Lettuce.
 */
final class RedisConnection implements AutoCloseable {
    private static final String CLUSTER = "redis-cluster://";
    private static final String CLUSTER_TLS = "rediss-cluster://";

    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterCommands<byte[], byte[]> commands;

    private RedisConnection(
            AbstractRedisClient client,
            StatefulConnection<byte[], byte[]> connection,
            RedisClusterCommands<byte[], byte[]> commands) {
        this.client = client;
        this.connection = connection;
        this.commands = commands;
    }

    /** @throws IllegalStateException when Redis cannot be reached now */
    static RedisConnection open(String url, Duration timeout) {
        SocketOptions socket =
                SocketOptions.builder().connectTimeout(timeout.multipliedBy(5)).build();
        AbstractRedisClient client = null;
        try {
            if (isCluster(url)) {
                RedisClusterClient cluster = RedisClusterClient.create(seeds(url));
                client = cluster;
                // A cluster connection opens its connections to the nodes as keys lead to them: a command may
                // wait for one (bounded by the timeout) rather than fail while it is being opened.
                cluster.setOptions(ClusterClientOptions.builder()
                        .timeoutOptions(TimeoutOptions.enabled(timeout))
                        .socketOptions(socket)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enableAllAdaptiveRefreshTriggers()
                                .enablePeriodicRefresh(Duration.ofSeconds(30))
                                .build())
                        .build());
                StatefulRedisClusterConnection<byte[], byte[]> connection = cluster.connect(ByteArrayCodec.INSTANCE);
                connection.setTimeout(timeout);
                return new RedisConnection(cluster, connection, connection.sync());
            }
            RedisClient standalone = RedisClient.create(RedisURI.create(url));
            client = standalone;
            standalone.setOptions(ClientOptions.builder()
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .socketOptions(socket)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .build());
            StatefulRedisConnection<byte[], byte[]> connection = standalone.connect(ByteArrayCodec.INSTANCE);
            connection.setTimeout(timeout);
            return new RedisConnection(standalone, connection, connection.sync());
        } catch (RuntimeException e) {
            if (client != null) {
                client.shutdown();
            }
            throw new IllegalStateException("Redis at " + redacted(url) + " is unreachable: " + e.getMessage(), e);
        }
    }

    /** The commands, for one server or routed by key across a cluster. */
    RedisClusterCommands<byte[], byte[]> commands() {
        return commands;
    }

    /** The connection itself (standalone or cluster), for integrations that take Lettuce's own types. */
    StatefulConnection<byte[], byte[]> connection() {
        return connection;
    }

    /** {@code url}, when it is a Redis URL of a kind this connection opens. */
    static String checkUrl(String url) {
        requireNonNull(url, "url");
        checkArgument(
                url.startsWith("redis://")
                        || url.startsWith("rediss://")
                        || url.startsWith("redis-sentinel://")
                        || url.startsWith("rediss-sentinel://")
                        || isCluster(url),
                "url: %s (expected: redis://host:port, redis-sentinel://host:port,host:port#master or"
                        + " redis-cluster://host:port,host:port)",
                redacted(url));
        if (isCluster(url)) {
            seeds(url);
        } else {
            try {
                RedisURI.create(url);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("url: " + redacted(url) + " (" + e.getMessage() + ")", e);
            }
        }
        return url;
    }

    private static boolean isCluster(String url) {
        return url.startsWith(CLUSTER) || url.startsWith(CLUSTER_TLS);
    }

    /**
     * The seed nodes of a cluster URL: {@code redis-cluster://[user:password@]host:port,host:port}; credentials
     * apply to every node.
     */
    private static List<RedisURI> seeds(String url) {
        boolean tls = url.startsWith(CLUSTER_TLS);
        String rest = url.substring(tls ? CLUSTER_TLS.length() : CLUSTER.length());
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        @Nullable String credentials = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String node : rest.split(",")) {
            checkArgument(!node.isBlank(), "url: %s (expected: host:port after redis-cluster://)", redacted(url));
            try {
                seeds.add(RedisURI.create(
                        (tls ? "rediss://" : "redis://") + (credentials == null ? "" : credentials + "@") + node));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("url: " + redacted(url) + " (" + e.getMessage() + ")", e);
            }
        }
        return seeds;
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
