package dev.gatehouse;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.internal.Attributes;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** The exchange that hosts build with {@link Exchange#builder}. */
final class DefaultExchange implements Exchange {
    private final String method;
    private final String path;
    private final Optional<String> query;
    private final String scheme;
    private final Headers headers;
    private final String peerAddress;
    private final BodySource bodySource;
    private final Attributes attributes = new Attributes();
    private Optional<RequestBody> body = Optional.empty();
    private boolean bodyReplaced;

    DefaultExchange(Exchange.Builder builder) {
        this.method = builder.method;
        this.path = builder.path;
        this.query = Optional.ofNullable(builder.query);
        this.scheme = builder.scheme;
        this.headers = builder.headers;
        this.peerAddress = builder.peerAddress;
        this.bodySource = builder.body;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Optional<String> query() {
        return query;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public Headers requestHeaders() {
        return headers;
    }

    @Override
    public String peerAddress() {
        return peerAddress;
    }

    @Override
    public Optional<RequestBody> body() {
        return body;
    }

    @Override
    public boolean bufferBody(int maxBytes) throws IOException {
        if (body.isPresent()) {
            return body.get().length() <= maxBytes;
        }
        try (InputStream in = bodySource.open()) {
            Optional<RequestBody> read = RequestBodies.read(in, maxBytes);
            body = read;
            return read.isPresent();
        }
    }

    @Override
    public void replaceBody(RequestBody replacement) {
        body = Optional.of(requireNonNull(replacement, "replacement"));
        bodyReplaced = true;
    }

    @Override
    public boolean bodyReplaced() {
        return bodyReplaced;
    }

    @Override
    public <T> Optional<T> attribute(AttributeKey<T> key) {
        return attributes.get(key);
    }

    @Override
    public <T> void setAttribute(AttributeKey<T> key, T value) {
        attributes.set(key, value);
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
