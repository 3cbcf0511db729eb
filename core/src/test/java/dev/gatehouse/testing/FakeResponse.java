package dev.gatehouse.testing;

import dev.gatehouse.Headers;
import java.nio.charset.StandardCharsets;

/** A response in memory: what a fake service returns, and what {@link FakeHost} delivers to the client. */
public final class FakeResponse {
    private final int status;
    private final Headers headers;
    private final byte[] body;

    private FakeResponse(int status, Headers headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    public static FakeResponse of(int status) {
        return new FakeResponse(status, Headers.create(), new byte[0]);
    }

    public static FakeResponse ok(String text) {
        return of(200).header("Content-Type", "text/plain; charset=utf-8").withBody(text);
    }

    public FakeResponse header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    public FakeResponse withBody(String text) {
        return withBody(text.getBytes(StandardCharsets.UTF_8));
    }

    public FakeResponse withBody(byte[] bytes) {
        return new FakeResponse(status, headers, bytes.clone());
    }

    public int status() {
        return status;
    }

    public Headers headers() {
        return headers;
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "FakeResponse[" + status + ", " + headers + ", " + body.length + " bytes]";
    }
}
