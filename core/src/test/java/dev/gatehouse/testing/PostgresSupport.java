package dev.gatehouse.testing;

import java.sql.Connection;
import java.sql.SQLException;
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
}
