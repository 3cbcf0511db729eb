package dev.gatehouse.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Redis the tests use ({@code REDIS_URL}, default {@code redis://127.0.0.1:6379}), or starts a private
 * {@code redis-server}. Without Redis the tests are skipped with a message saying how to run them — unless
 * {@code GATEHOUSE_REQUIRE_REDIS} is set (as {@code .ci/run} does), which turns "no Redis" into a failure.
 */
public final class RedisSupport {
    private RedisSupport() {}

    public static String url() {
        String url = System.getenv("REDIS_URL");
        return url == null || url.isBlank() ? "redis://127.0.0.1:6379" : url;
    }

    /** The shared Redis, or a skip (a failure when Redis is required). */
    public static String requireRedis() {
        URI uri = URI.create(url());
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), 500);
            return url();
        } catch (IOException e) {
            unavailable("Redis is not reachable at " + url() + " (" + e.getMessage() + ")");
            return url();
        }
    }

    private static void unavailable(String why) {
        String how = "; start one with `redis-server --port 6379` or set REDIS_URL to run these tests";
        if (System.getenv("GATEHOUSE_REQUIRE_REDIS") != null) {
            throw new AssertionError(why + " and GATEHOUSE_REQUIRE_REDIS is set" + how);
        }
        Assumptions.abort(why + how);
    }

    /** A {@code redis-server} of this test's own on a free port, to kill and restart. */
    public static final class Process implements AutoCloseable {
        private final int port;
        private final Path dir;
        private java.lang.Process process;

        public Process() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            dir = Files.createTempDirectory("gatehouse-redis");
            start();
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }

        public void start() throws IOException {
            try {
                process = new ProcessBuilder(
                                "redis-server",
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--dir",
                                dir.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("redis.log").toFile())
                        .start();
            } catch (IOException e) {
                unavailable("redis-server could not be started (" + e.getMessage() + ")");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException e) {
                    sleep(50);
                }
            }
            throw new IOException("redis-server did not start on port " + port);
        }

        /** Kills the server at once, as a crash would. */
        public void kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
