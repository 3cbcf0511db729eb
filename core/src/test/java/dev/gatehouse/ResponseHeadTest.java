package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What a host writes back after the response hooks: exactly the names whose values changed. */
class ResponseHeadTest {
    private static final List<String> NAMES = List.of("Content-Type", "Vary", "ETag", "X-A", "x-b", "Set-Cookie");
    private static final List<String> VALUES = List.of("1", "2", "gzip", "\"e\"");

    @Test
    void namesTheHeadersThatWereAppendedSetOrRemovedAndNoOthers() {
        Headers original = Headers.create()
                .add("Content-Type", "application/json")
                .add("Set-Cookie", "a=1")
                .add("Set-Cookie", "b=2")
                .add("ETag", "\"v1\"");
        ResponseHead head = ResponseHead.of(200, original);

        head.headers().add("X-Request-Id", "r1");
        head.headers().set("ETag", "\"v1-gzip\"");
        head.headers().remove("Set-Cookie");
        head.headers().set("content-type", "application/json");

        assertThat(head.changedHeaderNames()).containsExactlyInAnyOrder("x-request-id", "etag", "set-cookie");
    }

    @Test
    void comparingAHeadThatNoPolicyChangedAllocatesNothing() {
        Headers original = Headers.create()
                .add("Content-Type", "application/json")
                .add("Content-Length", "1024")
                .add("Cache-Control", "no-store");
        ResponseHead head = ResponseHead.of(200, original);
        head.headers().remove("Cache-Control");
        head.headers().add("Cache-Control", "no-store");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();

        assertThat(head.changedHeaderNames()).isEmpty();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 10_000; i++) {
            head.changedHeaderNames();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        // A set (or a list of values) per call would be hundreds of kilobytes; the reading itself is a few bytes.
        assertThat(allocated).isLessThan(10_000);
    }

    @Test
    void agreesWithComparingEveryNameOnRandomEdits() {
        Random random = new Random(42);
        for (int trial = 0; trial < 5000; trial++) {
            Headers original = Headers.create();
            for (int i = random.nextInt(6); i > 0; i--) {
                original.add(pick(random, NAMES), pick(random, VALUES));
            }
            ResponseHead head = ResponseHead.of(200, original);
            for (int i = random.nextInt(4); i > 0; i--) {
                String name = pick(random, NAMES);
                switch (random.nextInt(3)) {
                    case 0 -> head.headers().add(name, pick(random, VALUES));
                    case 1 -> head.headers().set(name, pick(random, VALUES));
                    default -> head.headers().remove(name);
                }
            }

            assertThat(head.changedHeaderNames())
                    .as("trial %d: %s -> %s", trial, original, head.headers())
                    .containsExactlyInAnyOrderElementsOf(everyNameCompared(original, head.headers()));
        }
    }

    private static Set<String> everyNameCompared(Headers before, Headers after) {
        Set<String> changed = new TreeSet<>();
        for (Headers side : List.of(before, after)) {
            for (int i = 0; i < side.size(); i++) {
                String name = side.name(i).toLowerCase(Locale.ROOT);
                if (!before.all(name).equals(after.all(name))) {
                    changed.add(name);
                }
            }
        }
        return changed;
    }

    private static String pick(Random random, List<String> from) {
        return from.get(random.nextInt(from.size()));
    }
}
