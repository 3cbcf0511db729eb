package dev.gatehouse.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        private final List<String> options;
        private java.lang.Process process;

        public Process() throws IOException {
            this(List.of());
        }

        /** With {@code options} after the defaults ({@code --cluster-enabled yes}, {@code --replicaof host port}). */
        public Process(List<String> options) throws IOException {
            port = freePort();
            dir = Files.createTempDirectory("gatehouse-redis");
            this.options = List.copyOf(options);
            start();
        }

        public int port() {
            return port;
        }

        Path dir() {
            return dir;
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }

        public void start() throws IOException {
            List<String> command = new ArrayList<>(List.of(
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
                    dir.toString()));
            command.addAll(options);
            try {
                process = new ProcessBuilder(command)
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

        /** Stops the server with SIGSTOP (frozen, connections open) or resumes it with SIGCONT. */
        public void signal(String signal) throws IOException, InterruptedException {
            run("kill", "-" + signal, Long.toString(process.pid()));
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs a command to its end (at most 30 s); its output, or an IOException saying what it printed. */
    public static String run(String... command) throws IOException, InterruptedException {
        java.lang.Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + new String(output));
        }
        return new String(output);
    }

    /** Waits (at most 20 s) until {@code redis-cli -p port args} prints {@code expected}. */
    static void await(int port, String expected, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = run(command.toArray(String[]::new));
                if (last.contains(expected)) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.getMessage();
            }
            Thread.sleep(100);
        }
        throw new IOException("waited 20 s for '" + expected + "' from " + command + "; last: " + last);
    }

    /** A Redis Cluster of three masters of this test's own, on free loopback ports. */
    public static final class Cluster implements AutoCloseable {
        private final List<Process> nodes = new ArrayList<>();

        public Cluster() throws IOException, InterruptedException {
            try {
                for (int i = 0; i < 3; i++) {
                    nodes.add(new Process(List.of(
                            "--cluster-enabled",
                            "yes",
                            "--cluster-node-timeout",
                            "2000",
                            "--cluster-config-file",
                            "nodes.conf")));
                }
                List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
                nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
                create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
                run(create.toArray(String[]::new));
                for (Process node : nodes) {
                    await(node.port(), "cluster_state:ok", "cluster", "info");
                }
            } catch (IOException | RuntimeException | InterruptedException e) {
                close();
                throw e;
            }
        }

        /** {@code redis-cluster://} with every node as a seed. */
        public String url() {
            StringBuilder url = new StringBuilder("redis-cluster://");
            for (Process node : nodes) {
                url.append(url.length() == "redis-cluster://".length() ? "" : ",")
                        .append("127.0.0.1:")
                        .append(node.port());
            }
            return url.toString();
        }

        @Override
        public void close() throws InterruptedException {
            for (Process node : nodes) {
                node.close();
            }
        }
    }

    /** A master, a replica and one Sentinel watching them as {@code mymaster}, of this test's own. */
    public static final class Sentinel implements AutoCloseable {
        private final Process master;
        private final Process replica;
        private final java.lang.Process sentinel;
        private final int sentinelPort;

        public Sentinel() throws IOException, InterruptedException {
            master = new Process();
            replica = new Process(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
            sentinelPort = freePort();
            Path config = replica.dir().resolve("sentinel.conf");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "port " + sentinelPort,
                            "bind 127.0.0.1",
                            "dir " + replica.dir(),
                            "sentinel monitor mymaster 127.0.0.1 " + master.port() + " 1",
                            "sentinel down-after-milliseconds mymaster 1000",
                            "sentinel failover-timeout mymaster 5000",
                            ""));
            sentinel = new ProcessBuilder("redis-server", config.toString(), "--sentinel")
                    .redirectErrorStream(true)
                    .redirectOutput(replica.dir().resolve("sentinel.log").toFile())
                    .start();
            try {
                await(replica.port(), "master_link_status:up", "info", "replication");
                await(sentinelPort, "127.0.0.1", "sentinel", "get-master-addr-by-name", "mymaster");
            } catch (IOException | InterruptedException e) {
                close();
                throw e;
            }
        }

        public String url() {
            return "redis-sentinel://127.0.0.1:" + sentinelPort + "#mymaster";
        }

        public Process master() {
            return master;
        }

        /** Waits until the replica has every write the master has taken so far. */
        public void awaitReplicated() throws IOException, InterruptedException {
            run("redis-cli", "-p", Integer.toString(master.port()), "wait", "1", "5000");
        }

        /** Waits until the Sentinel names the replica as the master. */
        public void awaitFailover() throws IOException, InterruptedException {
            await(sentinelPort, Integer.toString(replica.port()), "sentinel", "get-master-addr-by-name", "mymaster");
        }

        @Override
        public void close() throws InterruptedException {
            sentinel.destroyForcibly().waitFor();
            replica.close();
            master.close();
        }
    }
}
