package dev.gatehouse.jdbc;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.Headers;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.IdempotencyStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotency claims and records in PostgreSQL, for payment-grade durability: a record survives restarts of
 * every gateway instance and of Redis-less deployments, and is as durable as the database (replicated, backed up).
 * Plain JDBC over the application's {@link DataSource} (use a pool such as HikariCP); one table, created if
 * missing.
 *
 * <ul>
 *   <li>A claim is one {@code INSERT … ON CONFLICT (key) DO UPDATE … WHERE expires_at < now()}: the key is taken
 *       when it is free or its lease (or record) has expired, so two instances racing with one key execute it
 *       once. Leases and TTLs run on the database's clock, so instance clocks need not agree.
 *   <li>Completion and release act only while the caller's claim (its token) still holds the key.
 *   <li>Expired rows are treated as absent and deleted by {@link #purgeExpired()}, which the application (or a
 *       scheduler) calls now and then; {@link Builder#purgeEvery} schedules it on a daemon thread.
 *   <li>Every statement is bounded by {@code queryTimeout} (1 s by default); failures surface as {@link
 *       IdempotencyStoreException} for the policy's failure mode.
 * </ul>
 */
public final class PostgresIdempotencyStore implements IdempotencyStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresIdempotencyStore.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final int queryTimeoutSeconds;
    private final String claimSql;
    private final String readSql;
    private final String completeSql;
    private final String releaseSql;
    private final String purgeSql;
    private final @Nullable ScheduledExecutorService purger;

    private PostgresIdempotencyStore(Builder builder) {
        this.dataSource = builder.dataSource;
        this.queryTimeoutSeconds = (int) Math.max(1, (builder.queryTimeout.toMillis() + 999) / 1000);
        String table = builder.table;
        this.claimSql = "INSERT INTO " + table + " AS t (key, token, fingerprint, expires_at, completed)"
                + " VALUES (?, ?, ?, now() + ? * interval '1 millisecond', false)"
                + " ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token, fingerprint = EXCLUDED.fingerprint,"
                + " expires_at = EXCLUDED.expires_at, completed = false, has_response = false, status = NULL,"
                + " headers = NULL, body = NULL WHERE t.expires_at < now() RETURNING token";
        this.readSql = "SELECT fingerprint, completed, has_response, status, headers, body FROM " + table
                + " WHERE key = ? AND expires_at >= now()";
        this.completeSql = "UPDATE " + table + " SET token = NULL, completed = true,"
                + " expires_at = now() + ? * interval '1 millisecond', has_response = ?, status = ?, headers = ?,"
                + " body = ? WHERE key = ? AND token = ? AND NOT completed";
        this.releaseSql = "DELETE FROM " + table + " WHERE key = ? AND token = ? AND NOT completed";
        this.purgeSql = "DELETE FROM " + table + " WHERE expires_at < now()";
        createTable(table);
        if (builder.purgeEvery != null) {
            long millis = builder.purgeEvery.toMillis();
            purger = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "gatehouse-idempotency-purge");
                thread.setDaemon(true);
                return thread;
            });
            purger.scheduleWithFixedDelay(this::purgeQuietly, millis, millis, TimeUnit.MILLISECONDS);
        } else {
            purger = null;
        }
    }

    /** A store over {@code dataSource}, in the table {@code gatehouse_idempotency} unless told otherwise. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    private void createTable(String table) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(queryTimeoutSeconds * 10);
            statement.execute("CREATE TABLE IF NOT EXISTS " + table + " (key text PRIMARY KEY, token text,"
                    + " fingerprint text NOT NULL, expires_at timestamptz NOT NULL, completed boolean NOT NULL,"
                    + " has_response boolean NOT NULL DEFAULT false, status integer, headers text, body bytea)");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL: could not create the idempotency table " + table + ": " + e.getMessage(), e);
        }
    }

    /** Tells claims apart; never shown to clients, so it needs uniqueness, not secrecy. */
    private static String newToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    }

    @Override
    public Claim claim(String key, String fingerprint, Duration lease) {
        String token = newToken();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            for (int attempt = 0; attempt < 3; attempt++) {
                try (PreparedStatement claim = prepare(connection, claimSql)) {
                    claim.setString(1, key);
                    claim.setString(2, token);
                    claim.setString(3, fingerprint);
                    claim.setLong(4, lease.toMillis());
                    try (ResultSet taken = claim.executeQuery()) {
                        if (taken.next()) {
                            return new Claim.Claimed(token);
                        }
                    }
                }
                Claim existing = read(connection, key);
                if (existing != null) {
                    return existing;
                }
                // The holder's row expired between the two statements: claim again.
            }
            throw new IdempotencyStoreException("PostgreSQL: key churned during claim", null);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private @Nullable Claim read(Connection connection, String key) throws SQLException {
        try (PreparedStatement read = prepare(connection, readSql)) {
            read.setString(1, key);
            try (ResultSet row = read.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                String fingerprint = row.getString("fingerprint");
                if (!row.getBoolean("completed")) {
                    return new Claim.InFlight(fingerprint);
                }
                if (!row.getBoolean("has_response")) {
                    return new Claim.Completed(fingerprint, Optional.empty());
                }
                return new Claim.Completed(
                        fingerprint,
                        Optional.of(StoredResponse.of(
                                row.getInt("status"), headersOf(row.getString("headers")), row.getBytes("body"))));
            }
        }
    }

    @Override
    public void complete(
            String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement complete = prepare(connection, completeSql)) {
            connection.setAutoCommit(true);
            complete.setLong(1, ttl.toMillis());
            complete.setBoolean(2, response.isPresent());
            if (response.isPresent()) {
                StoredResponse stored = response.get();
                complete.setInt(3, stored.status());
                complete.setString(4, textOf(stored.headers()));
                complete.setBytes(5, stored.body());
            } else {
                complete.setNull(3, Types.INTEGER);
                complete.setNull(4, Types.VARCHAR);
                complete.setNull(5, Types.BINARY);
            }
            complete.setString(6, key);
            complete.setString(7, token);
            complete.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public void release(String key, String token) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement release = prepare(connection, releaseSql)) {
            connection.setAutoCommit(true);
            release.setString(1, key);
            release.setString(2, token);
            release.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Deletes every expired claim and record; answers how many. */
    public int purgeExpired() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = prepare(connection, purgeSql)) {
            connection.setAutoCommit(true);
            return purge.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private void purgeQuietly() {
        try {
            purgeExpired();
        } catch (RuntimeException e) {
            LOG.warn("Could not purge expired idempotency records: {}", e.getMessage());
        }
    }

    private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(queryTimeoutSeconds);
        return statement;
    }

    /** Header fields one per line, {@code name: value}: field values never hold line breaks. */
    private static String textOf(Headers headers) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < headers.size(); i++) {
            text.append(headers.name(i)).append(": ").append(headers.value(i)).append('\n');
        }
        return text.toString();
    }

    private static Headers headersOf(String text) {
        Headers headers = Headers.create();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                headers.add(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        return headers;
    }

    private static IdempotencyStoreException failure(SQLException e) {
        return new IdempotencyStoreException("PostgreSQL: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        if (purger != null) {
            purger.shutdownNow();
        }
    }

    public static final class Builder {
        private final DataSource dataSource;
        private String table = "gatehouse_idempotency";
        private Duration queryTimeout = Duration.ofSeconds(1);
        private @Nullable Duration purgeEvery;

        private Builder(DataSource dataSource) {
            this.dataSource = requireNonNull(dataSource, "dataSource");
        }

        /** The table's name (lower-case letters, digits and {@code _}); created if it does not exist. */
        public Builder table(String table) {
            checkArgument(
                    IDENTIFIER.matcher(requireNonNull(table, "table")).matches(),
                    "table: %s (expected: a lower-case SQL identifier)",
                    table);
            this.table = table;
            return this;
        }

        /** The bound on each statement, rounded up to whole seconds (JDBC's unit); 1 s by default. */
        public Builder queryTimeout(Duration queryTimeout) {
            checkArgument(
                    !queryTimeout.isNegative() && !queryTimeout.isZero(),
                    "queryTimeout: %s (expected: > 0)",
                    queryTimeout);
            this.queryTimeout = queryTimeout;
            return this;
        }

        /** Deletes expired rows every {@code interval} on a daemon thread (not by default). */
        public Builder purgeEvery(Duration interval) {
            checkArgument(!interval.isNegative() && !interval.isZero(), "purgeEvery: %s (expected: > 0)", interval);
            this.purgeEvery = interval;
            return this;
        }

        /** @throws IllegalStateException when the table cannot be created (the database is unreachable) */
        public PostgresIdempotencyStore build() {
            return new PostgresIdempotencyStore(this);
        }
    }
}
