package dev.gatehouse;

import static java.nio.charset.StandardCharsets.UTF_8;
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

        assertThat(head.changedHeaderNames()).containsExactly("X-Request-Id", "ETag", "Set-Cookie");
        Set<String> changed = head.changedHeaderNames();
        assertThat(changed.contains("x-request-id") && changed.contains("ETAG")).isTrue();
        assertThat(changed.contains("Content-Type")).isFalse();
    }

    @Test
    void theHeadEditsTheHostsHeadersInPlaceAndCopiesImmutableOnes() {
        Headers hosts = Headers.create().add("Content-Type", "text/plain");
        ResponseHead head = ResponseHead.of(200, hosts);
        head.setHeader("X-Request-Id", "r1");

        assertThat(hosts.first("X-Request-Id")).hasValue("r1");

        Headers fixed = Headers.of("Content-Type", "text/plain");
        ResponseHead copied = ResponseHead.of(200, fixed);
        copied.setHeader("X-Request-Id", "r2");

        assertThat(fixed.contains("X-Request-Id")).isFalse();
        assertThat(copied.changedHeaderNames()).containsExactly("X-Request-Id");
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
    void aReplacementTakesTheStatusHeadersAndBodyAndOnlyLaterTransformsSeeIt() throws Exception {
        ResponseHead head = ResponseHead.of(
                503,
                Headers.create().add("Content-Type", "application/problem+json").add("Set-Cookie", "a=1"));
        head.transformBody(downstream -> new java.io.FilterOutputStream(downstream) {
            @Override
            public void write(int b) throws java.io.IOException {
                out.write(Character.toUpperCase(b));
            }
        });
        head.replaceWith(StoredResponse.of(200, Headers.of("Content-Type", "text/plain"), "stored".getBytes(UTF_8)));
        head.transformBody(downstream -> new java.io.FilterOutputStream(downstream) {
            @Override
            public void write(int b) throws java.io.IOException {
                out.write(b == 's' ? '$' : b);
            }
        });
        java.io.ByteArrayOutputStream client = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream body = head.wrapBody(client)) {
            body.write("{\"title\":\"unavailable\"}".getBytes(UTF_8));
        }

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.replaced()).isTrue();
        assertThat(head.bodyTransformable()).isTrue();
        assertThat(head.headers().all("Content-Type")).containsExactly("text/plain");
        assertThat(head.headers().first("Content-Length")).hasValue("6");
        assertThat(head.headers().contains("Set-Cookie")).isFalse();
        assertThat(head.changedHeaderNames()).containsExactlyInAnyOrder("Content-Type", "Content-Length", "Set-Cookie");
        assertThat(client.toString(UTF_8)).isEqualTo("$tored");
    }

    @Test
    void aBodyTheHostWritesItselfCannotBeReplacedButAHeadWithoutBodyCan() {
        StoredResponse stored = StoredResponse.of(200, Headers.empty(), new byte[] {1});
        ResponseHead errorPage = ResponseHead.withFixedBody(500, Headers.create());
        ResponseHead noEntity = ResponseHead.withoutBody(304, Headers.create());

        assertThat(errorPage.replaceable()).isFalse();
        org.assertj.core.api.Assertions.assertThatIllegalStateException()
                .isThrownBy(() -> errorPage.replaceWith(stored));
        assertThat(noEntity.bodyTransformable()).isFalse();
        noEntity.replaceWith(stored);
        assertThat(noEntity.status()).isEqualTo(200);
        assertThat(noEntity.bodyTransformable()).isTrue();
    }

    @Test
    void agreesWithComparingEveryNameOnRandomEdits() {
        Random random = new Random(42);
        for (int trial = 0; trial < 5000; trial++) {
            Headers original = Headers.create();
            for (int i = random.nextInt(6); i > 0; i--) {
                original.add(pick(random, NAMES), pick(random, VALUES));
            }
            ResponseHead head = ResponseHead.of(200, original.copy());
            for (int i = random.nextInt(4); i > 0; i--) {
                String name = pick(random, NAMES);
                switch (random.nextInt(3)) {
                    case 0 -> head.headers().add(name, pick(random, VALUES));
                    case 1 -> head.headers().set(name, pick(random, VALUES));
                    default -> head.headers().remove(name);
                }
            }

            assertThat(lowerCase(head.changedHeaderNames()))
                    .as("trial %d: %s -> %s", trial, original, head.headers())
                    .containsExactlyInAnyOrderElementsOf(everyNameCompared(original, head.headers()));
        }
    }

    private static Set<String> lowerCase(Set<String> names) {
        Set<String> lower = new TreeSet<>();
        names.forEach(name -> lower.add(name.toLowerCase(Locale.ROOT)));
        assertThat(lower).as("each name once, in any letter case").hasSameSizeAs(names);
        return lower;
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
