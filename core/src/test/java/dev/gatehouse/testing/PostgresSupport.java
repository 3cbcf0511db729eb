package dev.gatehouse.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Finds the PostgreSQL the tests use ({@code GATEHOUSE_POSTGRES_URL}, default {@code
 * jdbc:postgresql://127.0.0.1:5432/gatehouse?user=gatehouse&password=gatehouse}, which {@code .ci/run} creates).
 * Without it the tests are skipped with a message saying how to run them — unless {@code
 * GATEHOUSE_REQUIRE_POSTGRES} is set (as {@code .ci/run} does), which turns "no PostgreSQL" into a failure.
 */
public final class PostgresSupport {
    private PostgresSupport() {}

    public static String url() {
        String url = System.getenv("GATEHOUSE_POSTGRES_URL");
        return url == null || url.isBlank()
                ? "jdbc:postgresql://127.0.0.1:5432/gatehouse?user=gatehouse&password=gatehouse"
                : url;
    }

    /** A data source on the tests' database, or a skip (a failure when PostgreSQL is required). */
    public static DataSource requirePostgres() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url());
        dataSource.setConnectTimeout(2);
        try (Connection connection = dataSource.getConnection()) {
            connection.isValid(2);
            return dataSource;
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + url().replaceAll("password=[^&]*", "password=***")
                    + " (" + e.getMessage() + "); create the role and database gatehouse (password gatehouse)"
                    + " or set GATEHOUSE_POSTGRES_URL to run these tests";
            if (System.getenv("GATEHOUSE_REQUIRE_POSTGRES") != null) {
                throw new AssertionError(why + ", and GATEHOUSE_REQUIRE_POSTGRES is set", e);
            }
            Assumptions.abort(why);
            return dataSource;
        }
    }

    /**
     * A PostgreSQL server of this test's own (Debian's packaged binaries, a fresh data directory, a free loopback
     * port), for tests that stop and restart it. Run as the {@code postgres} user when the tests run as root,
     * which PostgreSQL refuses to be.
     */
    public static final class Server implements AutoCloseable {
        private final Path bin;
        private final Path data;
        private final int port;

        public Server() throws IOException, InterruptedException {
            bin = binaries();
            data = Files.createTempDirectory("gatehouse-pg");
            port = RedisSupport.freePort();
            if (isRoot()) {
                RedisSupport.run("chown", "postgres", data.toString());
            }
            as(
                    bin.resolve("initdb").toString(),
                    "-D",
                    data.toString(),
                    "-U",
                    "gatehouse",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync");
            start();
        }

        private static Path binaries() {
            try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
                return versions.max(Comparator.comparing(path ->
                                Integer.parseInt(path.getFileName().toString().replaceAll("\\D", "0"))))
                        .orElseThrow()
                        .resolve("bin");
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(
                        "PostgreSQL's binaries are not under /usr/lib/postgresql: install postgresql", e);
            }
        }

        private static boolean isRoot() throws IOException, InterruptedException {
            return RedisSupport.run("id", "-u").trim().equals("0");
        }

        private String as(String... command) throws IOException, InterruptedException {
            List<String> line = new ArrayList<>();
            if (isRoot()) {
                line.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            line.addAll(List.of(command));
            return RedisSupport.run(line.toArray(String[]::new));
        }

        public String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=gatehouse";
        }

        public DataSource dataSource() {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(url());
            dataSource.setConnectTimeout(1);
            dataSource.setSocketTimeout(2);
            return dataSource;
        }

        public void start() throws IOException, InterruptedException {
            as(
                    bin.resolve("pg_ctl").toString(),
                    "-D",
                    data.toString(),
                    "-l",
                    data.resolve("log").toString(),
                    "-w",
                    "-o",
                    "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1",
                    "start");
        }

        /** Stops at once, as a crash would (committed work survives in the WAL); {@link #start()} recovers. */
        public void crash() throws IOException, InterruptedException {
            as(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                as(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
            } catch (IOException alreadyStopped) {
                // the test left it stopped
            }
            RedisSupport.run("rm", "-rf", data.toString());
        }
    }
}
