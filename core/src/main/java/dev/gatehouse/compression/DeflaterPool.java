package dev.gatehouse.compression;

import static dev.gatehouse.internal.Checks.checkArgument;

import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

/**
 * A bounded pool of {@link Deflater}s of one level and format. Each deflater holds about 256 KiB of native
 * memory, so they are reused across responses: after warm-up a response constructs none. A deflater returned to
 * a full pool is {@code end()}-ed at once rather than left to the garbage collector. The last one returned is
 * the next one taken ({@link IdleStack}).
 */
final class DeflaterPool {
    private final int level;
    private final boolean nowrap;
    private final IdleStack<Pooled> idle;
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();

    DeflaterPool(int level, boolean nowrap, int capacity) {
        checkArgument(capacity > 0, "capacity: %s (expected: > 0)", capacity);
        this.level = level;
        this.nowrap = nowrap;
        this.idle = new IdleStack<>(capacity);
    }

    /** A deflater with its output buffer, reused together. */
    static final class Pooled {
        final Deflater deflater;
        final byte[] buffer = new byte[8192];

        Pooled(Deflater deflater) {
            this.deflater = deflater;
        }
    }

    Pooled acquire() {
        Pooled pooled = idle.poll();
        if (pooled == null) {
            created.incrementAndGet();
            pooled = new Pooled(new Deflater(level, nowrap));
        }
        return pooled;
    }

    /** Takes a deflater back after a complete stream. */
    void release(Pooled pooled) {
        pooled.deflater.reset();
        if (!idle.offer(pooled)) {
            discard(pooled);
        }
    }

    /** Frees a deflater whose stream failed half-way, or that a full pool cannot keep. */
    void discard(Pooled pooled) {
        ended.incrementAndGet();
        pooled.deflater.end();
    }

    /** How many deflaters this pool has constructed. */
    public long created() {
        return created.get();
    }

    /** How many deflaters are alive: constructed and not yet ended. */
    public long live() {
        return created.get() - ended.get();
    }
}
