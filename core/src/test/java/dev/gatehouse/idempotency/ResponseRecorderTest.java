package dev.gatehouse.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Headers;
import dev.gatehouse.ResponseHead;
import dev.gatehouse.StoredResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponseRecorderTest {
    /** What the store was asked to keep. */
    record Completion(String key, String token, Optional<StoredResponse> response) {}

    final List<Completion> completions = new ArrayList<>();
    final List<String> releases = new ArrayList<>();
    final IdempotencyStore store = new IdempotencyStore() {
        @Override
        public Claim claim(String key, String fingerprint, Duration lease) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void complete(
                String key, String token, String fingerprint, Optional<StoredResponse> response, Duration ttl) {
            completions.add(new Completion(key, token, response));
        }

        @Override
        public void release(String key, String token) {
            releases.add(key + "/" + token);
        }
    };

    ResponseRecorder recorder(int maxBodyBytes) {
        return new ResponseRecorder(
                store, "key", "token", "fingerprint", Duration.ofHours(24), maxBodyBytes, () -> null);
    }

    static byte[] stream(ResponseHead head, String body) throws IOException {
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        try (OutputStream out = head.wrapBody(client)) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return client.toByteArray();
    }

    @Test
    void recordsStatusEndToEndHeadersAndTheBodyOnceTheBodyEnds() throws IOException {
        ResponseRecorder recorder = recorder(1024);
        ResponseHead head = ResponseHead.of(
                201,
                Headers.create()
                        .add("Content-Type", "application/json")
                        .add("Set-Cookie", "session=1")
                        .add("Date", "Wed, 25 Nov 2026 12:00:00 GMT")
                        .add("X-Request-Id", "abc")
                        .add("Location", "/payments/1"));

        recorder.capture(head, false);
        byte[] delivered = stream(head, "{\"payment\":1}");
        recorder.record();

        assertThat(new String(delivered, StandardCharsets.UTF_8)).isEqualTo("{\"payment\":1}");
        assertThat(completions).hasSize(1);
        StoredResponse stored = completions.get(0).response().orElseThrow();
        assertThat(stored.status()).isEqualTo(201);
        assertThat(stored.headers().names()).containsExactlyInAnyOrder("Content-Type", "Location");
        assertThat(new String(stored.body(), StandardCharsets.UTF_8)).isEqualTo("{\"payment\":1}");
    }

    @Test
    void withADeclaredLengthTheKeyIsRecordedAsTheLastBytePasses() throws IOException {
        ResponseRecorder recorder = recorder(1024);
        ResponseHead head = ResponseHead.of(200, Headers.of("Content-Length", "5"));
        recorder.capture(head, false);

        OutputStream out = head.wrapBody(new ByteArrayOutputStream());
        out.write("hel".getBytes(StandardCharsets.UTF_8));
        assertThat(completions).isEmpty();
        out.write("lo".getBytes(StandardCharsets.UTF_8));

        assertThat(completions).hasSize(1);
        assertThat(completions.get(0).response().orElseThrow().body())
                .isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anOversizedOrUnfinishedBodyIsRecordedAsNotReplayable() throws IOException {
        ResponseRecorder oversized = recorder(4);
        ResponseHead head = ResponseHead.of(200, Headers.create());
        oversized.capture(head, false);
        stream(head, "too long");

        ResponseRecorder unfinished = recorder(1024);
        ResponseHead other = ResponseHead.of(200, Headers.create());
        unfinished.capture(other, false);
        other.wrapBody(new ByteArrayOutputStream()).write('x');
        unfinished.record();

        assertThat(completions).extracting(Completion::response).containsExactly(Optional.empty(), Optional.empty());
    }

    @Test
    void aHeadResponseOrAFixedBodyIsNotCapturedAndSoNotReplayable() {
        ResponseRecorder head = recorder(1024);
        ResponseHead forHead = ResponseHead.of(200, Headers.create());
        head.capture(forHead, true);
        head.record();

        ResponseRecorder fixed = recorder(1024);
        fixed.capture(ResponseHead.withFixedBody(500, Headers.create()), false);
        fixed.record();

        assertThat(forHead.hasTransforms()).isFalse();
        assertThat(completions).extracting(Completion::response).containsExactly(Optional.empty(), Optional.empty());
    }

    @Test
    void recordsOnlyOnceAndReleasesTheKeyOfARefusedRequest() {
        ResponseRecorder recorder = recorder(1024);
        recorder.record();
        recorder.record();
        recorder(1024).release();

        assertThat(completions).hasSize(1);
        assertThat(releases).containsExactly("key/token");
    }

    @Test
    void aStoreThatFailsToRecordOrReleaseIsCountedNotThrown() {
        ResilientIdempotencyStoreTest.FlakyStore flaky = new ResilientIdempotencyStoreTest.FlakyStore();
        flaky.down = true;
        ResilientIdempotencyStore failing = ResilientIdempotencyStore.of(flaky);
        ResponseRecorder recorder =
                new ResponseRecorder(failing, "key", "token", "fingerprint", Duration.ofHours(1), 1024, () -> null);

        recorder.record();
        recorder.release();

        assertThat(failing.failures()).isEqualTo(2);
    }
}
