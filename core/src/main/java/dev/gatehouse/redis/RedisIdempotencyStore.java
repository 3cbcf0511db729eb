package dev.gatehouse.redis;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.Headers;
import dev.gatehouse.StoredResponse;
import dev.gatehouse.idempotency.IdempotencyStore;
import dev.gatehouse.idempotency.IdempotencyStoreException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Idempotency claims and records in Redis, shared by every gateway instance: a claim is one {@code SET key
 * claim NX PX lease}, so two instances racing with one key execute it once; completion and release are Lua
 * scripts that act only while the caller's claim is still the key's value. Two round trips per idempotent
 * request: claim and complete. Keys are the policy's digests under {@code keyPrefix}.
 */
public final class RedisIdempotencyStore implements IdempotencyStore, AutoCloseable {
    private static final byte CLAIM = 'C';
    private static final byte RECORD = 'R';
    /**
     * Records while this claim holds the key, or when its lease lapsed and nobody claimed the key since: the request
     * ran, and a retry must find its answer however long it took (a claim of another's is left alone).
     */
    private static final String COMPLETE = "local held = redis.call('GET', KEYS[1]) "
            + "if held == ARGV[1] or held == false then "
            + "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end";

    private static final String RELEASE =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 else return 0 end";

    private final RedisConnection connection;
    private final RedisClusterCommands<byte[], byte[]> redis;
    private final String keyPrefix;

    private RedisIdempotencyStore(Builder builder) {
        this.connection = RedisConnection.open(builder.url, builder.commandTimeout);
        this.redis = connection.commands();
        this.keyPrefix = builder.keyPrefix;
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** Tells claims apart; never shown to clients, so it needs uniqueness, not secrecy. */
    private static String newToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    }

    @Override
    public Claim claim(String key, String fingerprint, Duration lease) {
        byte[] redisKey = redisKey(key);
        String token = newToken();
        byte[] claim = claimValue(token, fingerprint);
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                String set = redis.set(redisKey, claim, SetArgs.Builder.nx().px(lease.toMillis()));
                if ("OK".equals(set)) {
                    return new Claim.Claimed(token);
                }
                byte[] existing = redis.get(redisKey);
                if (existing != null) {
                    return decode(existing);
                }
                // It expired between SET and GET: try to claim it again.
            }
            throw new IdempotencyStoreException("Redis: key churned during claim", null);
        } catch (IdempotencyStoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IdempotencyStoreException("Redis: " + e.getMessage(), e);
        }
    }

    @Override
    public void complete(
            String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl) {
        try {
            redis.eval(
                    COMPLETE,
                    ScriptOutputType.INTEGER,
                    new byte[][] {redisKey(key)},
                    claimValue(token, fingerprint),
                    encode(fingerprint, response),
                    Long.toString(ttl.toMillis()).getBytes(StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            throw new IdempotencyStoreException("Redis: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(String key, String token) {
        // Rare (a refusal after the claim): read the claim, then delete it only while this token holds it.
        try {
            byte[] redisKey = redisKey(key);
            byte[] existing = redis.get(redisKey);
            if (existing != null && existing[0] == CLAIM && tokenOf(existing).equals(token)) {
                redis.eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] {redisKey}, existing);
            }
        } catch (RuntimeException e) {
            throw new IdempotencyStoreException("Redis: " + e.getMessage(), e);
        }
    }

    private byte[] redisKey(String key) {
        return (keyPrefix + key).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] claimValue(String token, String fingerprint) {
        return ("C" + token + "\n" + fingerprint).getBytes(StandardCharsets.US_ASCII);
    }

    private static String tokenOf(byte[] claim) {
        String text = new String(claim, 1, claim.length - 1, StandardCharsets.US_ASCII);
        return text.substring(0, text.indexOf('\n'));
    }

    private static byte[] encode(String fingerprint, Optional<StoredResponse> response) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(RECORD);
            out.writeUTF(fingerprint);
            out.writeBoolean(response.isPresent());
            if (response.isPresent()) {
                StoredResponse stored = response.get();
                out.writeShort(stored.status());
                Headers headers = stored.headers();
                out.writeInt(headers.size());
                for (int i = 0; i < headers.size(); i++) {
                    out.writeUTF(headers.name(i));
                    out.writeUTF(headers.value(i));
                }
                byte[] body = stored.body();
                out.writeInt(body.length);
                out.write(body);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream", e);
        }
    }

    private static Claim decode(byte[] value) {
        if (value.length > 0 && value[0] == CLAIM) {
            String text = new String(value, 1, value.length - 1, StandardCharsets.US_ASCII);
            return new Claim.InFlight(text.substring(text.indexOf('\n') + 1));
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != RECORD) {
                throw new IdempotencyStoreException("Redis: unrecognised idempotency record", null);
            }
            String fingerprint = in.readUTF();
            if (!in.readBoolean()) {
                return new Claim.Completed(fingerprint, Optional.empty());
            }
            int status = in.readShort();
            int count = in.readInt();
            Headers headers = Headers.create();
            for (int i = 0; i < count; i++) {
                headers.add(in.readUTF(), in.readUTF());
            }
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return new Claim.Completed(fingerprint, Optional.of(StoredResponse.of(status, headers, body)));
        } catch (IOException e) {
            throw new IdempotencyStoreException(
                    "Redis: corrupt idempotency record ("
                            + Arrays.toString(Arrays.copyOf(value, Math.min(8, value.length))) + ")",
                    e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }

    public static final class Builder {
        private final String url;
        private Duration commandTimeout = Duration.ofMillis(200);
        private String keyPrefix = "gatehouse:idem:";

        private Builder(String url) {
            this.url = RedisConnection.checkUrl(url);
        }

        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = RedisConnection.checkTimeout(commandTimeout);
            return this;
        }

        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        public RedisIdempotencyStore build() {
            return new RedisIdempotencyStore(this);
        }
    }
}
