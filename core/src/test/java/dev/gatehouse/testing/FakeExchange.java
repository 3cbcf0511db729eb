package dev.gatehouse.testing;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.AttributeKey;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.RequestBody;
import dev.gatehouse.host.RequestBodies;
import dev.gatehouse.internal.Attributes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/** An in-memory {@link Exchange} for policy tests: {@code FakeExchange.get("/").from("192.0.2.7")}. */
public final class FakeExchange implements Exchange {
    private final String method;
    private final String path;
    private String query;
    private String scheme = "http";
    private final Headers headers = Headers.create();
    private String peerAddress = "192.0.2.1";
    private List<X509Certificate> clientCertificates = List.of();
    private byte[] sentBody = new byte[0];
    private Optional<RequestBody> body = Optional.empty();
    private int bodyReads;
    private boolean bodyReplaced;
    private final Attributes attributes = new Attributes();

    private FakeExchange(String method, String path) {
        this.method = requireNonNull(method, "method");
        this.path = requireNonNull(path, "path");
    }

    public static FakeExchange of(String method, String path) {
        return new FakeExchange(method, path);
    }

    public static FakeExchange get(String path) {
        return of("GET", path);
    }

    public static FakeExchange post(String path) {
        return of("POST", path);
    }

    public FakeExchange header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    public FakeExchange from(String peerAddress) {
        this.peerAddress = peerAddress;
        return this;
    }

    public FakeExchange withQuery(String rawQuery) {
        this.query = rawQuery;
        return this;
    }

    public FakeExchange withScheme(String scheme) {
        this.scheme = scheme;
        return this;
    }

    /** As if the TLS handshake verified this chain, the client's certificate first. */
    public FakeExchange withClientCertificates(List<X509Certificate> chain) {
        this.clientCertificates = List.copyOf(chain);
        this.scheme = "https";
        return this;
    }

    @Override
    public List<X509Certificate> clientCertificates() {
        return clientCertificates;
    }

    public FakeExchange withBody(String text) {
        return withBody(text.getBytes(StandardCharsets.UTF_8));
    }

    public FakeExchange withBody(byte[] bytes) {
        this.sentBody = bytes.clone();
        return this;
    }

    @Override
    public void replaceBody(RequestBody replacement) {
        body = Optional.of(replacement);
        bodyReplaced = true;
    }

    @Override
    public boolean bodyReplaced() {
        return bodyReplaced;
    }

    /** How many times the body was read from the client: a chain must read it at most once. */
    public int bodyReads() {
        return bodyReads;
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
        return Optional.ofNullable(query);
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
        bodyReads++;
        body = RequestBodies.read(new ByteArrayInputStream(sentBody), maxBytes);
        return body.isPresent();
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
        return "FakeExchange[" + method + " " + path + "]";
    }
}
