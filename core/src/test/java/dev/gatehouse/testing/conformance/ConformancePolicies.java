package dev.gatehouse.testing.conformance;

import dev.gatehouse.Completion;
import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.Problem;
import dev.gatehouse.ResponseHead;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The policies the suite runs on every host; each one makes one behaviour observable to the client. */
public final class ConformancePolicies {
    static final String SET_HEADER = "X-Gatehouse-Test";
    static final String SET_VALUE = "from-policy";
    static final String REJECT_TRIGGER = "X-Reject";
    static final String REFUSED_BY = "X-Refused-By";
    static final String STAMP = "X-Stamp";
    static final String BODY_DIGEST = "X-Body-Sha256";
    static final int BODY_LIMIT = 1024;
    static final String JWT_ISSUER = "https://idp.conformance.test";
    static final String JWT_AUDIENCE = "conformance";
    static final byte[] JWT_SECRET =
            "k9Vq2xR7mZ4tW1pL8sN3bF6hJ0cD5gY_".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static final String ALLOWED_ORIGIN = "http://app.conformance.test";

    /**
     * JWT auth, or over TLS a client certificate of {@link ConformanceTls#CLIENT_CA} (its {@code CN} names the
     * principal, its subject reaches the service as {@link #CERTIFICATE_SUBJECT}), that lets anonymous requests
     * through: spoofed identity headers are removed either way.
     */
    static dev.gatehouse.auth.AuthPolicy optionalJwt() {
        return jwt().authenticator(dev.gatehouse.auth.ClientCertificateAuthenticator.builder()
                        .issuer(ConformanceTls.CLIENT_CA
                                .certificate()
                                .getSubjectX500Principal()
                                .getName())
                        .build())
                .identityHeaders(dev.gatehouse.IdentityHeaders.builder()
                        .claim(dev.gatehouse.auth.ClientCertificateAuthenticator.SUBJECT_CLAIM, CERTIFICATE_SUBJECT)
                        .build())
                .optional()
                .build();
    }

    /** JWT auth that refuses requests without a valid token with 401. */
    static dev.gatehouse.auth.AuthPolicy requiredJwt() {
        return jwt().build();
    }

    /** The header that carries a client certificate's subject to the service. */
    static final String CERTIFICATE_SUBJECT = "X-Client-Cert-Subject";

    /** CORS for {@link #ALLOWED_ORIGIN}, with credentials and bearer tokens. */
    static dev.gatehouse.cors.CorsPolicy cors() {
        return dev.gatehouse.cors.CorsPolicy.builder()
                .allowOrigins(ALLOWED_ORIGIN)
                .allowMethods("GET", "POST")
                .allowHeaders("Authorization")
                .allowCredentials()
                .maxAge(java.time.Duration.ofMinutes(10))
                .build();
    }

    private static dev.gatehouse.auth.AuthPolicy.Builder jwt() {
        return dev.gatehouse.auth.AuthPolicy.builder()
                .authenticator(dev.gatehouse.auth.JwtAuthenticator.builder()
                        .issuer(
                                JWT_ISSUER,
                                dev.gatehouse.auth.KeySet.of(dev.gatehouse.auth.JwtKey.hmac(
                                        "conformance", dev.gatehouse.auth.JwtAlgorithm.HS256, JWT_SECRET)))
                        .audience(JWT_AUDIENCE)
                        .build());
    }

    /** A token the {@link #optionalJwt()} policy accepts, valid for an hour. */
    static String validToken(String subject) {
        long now = java.time.Instant.now().getEpochSecond();
        return dev.gatehouse.testing.Tokens.hmac(
                "HS256",
                JWT_SECRET,
                "{\"alg\":\"HS256\",\"kid\":\"conformance\"}",
                "{\"iss\":\"" + JWT_ISSUER + "\",\"aud\":\"" + JWT_AUDIENCE + "\",\"sub\":\"" + subject
                        + "\",\"scope\":\"orders:read\",\"exp\":" + (now + 3600) + "}");
    }

    private ConformancePolicies() {}

    /** Sets a header on every request; the client's copies must never reach the resource. */
    static final class SetHeader implements OffloadPolicy {
        @Override
        public Decision onRequest(Exchange exchange) {
            return Decision.proceed(Headers.of(SET_HEADER, SET_VALUE));
        }
    }

    /** Refuses requests that carry {@code X-Reject}, with 403, a header and a problem body. */
    static final class Reject implements OffloadPolicy {
        @Override
        public Decision onRequest(Exchange exchange) {
            if (exchange.requestHeaders().contains(REJECT_TRIGGER)) {
                return Decision.reject(
                                Problem.of(403, "Refused by the conformance suite."), Headers.of(REFUSED_BY, "reject"))
                        .because("asked to refuse");
            }
            return Decision.proceed();
        }
    }

    /** Stamps every response it sees with its status. */
    static final class Stamp implements OffloadPolicy {
        @Override
        public Decision onRequest(Exchange exchange) {
            return Decision.proceed();
        }

        @Override
        public void onResponse(Exchange exchange, ResponseHead response) {
            response.setHeader(STAMP, Integer.toString(response.status()));
        }
    }

    /** Reads the request body (bounded) and passes its digest upstream. */
    static final class BodyDigest implements OffloadPolicy {
        @Override
        public Decision onRequest(Exchange exchange) {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                exchange.body().ifPresent(body -> body.update(digest));
                return Decision.proceed(Headers.of(BODY_DIGEST, HexFormat.of().formatHex(digest.digest())));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int requestBodyLimit() {
            return BODY_LIMIT;
        }
    }

    /** Records each completion's status under the exchange's request id. */
    public static final class CompletionRecorder implements OffloadPolicy {
        final Map<String, List<Integer>> statuses = new ConcurrentHashMap<>();

        /** The statuses the exchange with this request id completed with, so far. */
        public List<Integer> statusesOf(String requestId) {
            return statuses.getOrDefault(requestId, List.of());
        }

        @Override
        public Decision onRequest(Exchange exchange) {
            return Decision.proceed();
        }

        @Override
        public void onComplete(Exchange exchange, Completion completion) {
            String id = exchange.attribute(Exchange.REQUEST_ID).orElse("-");
            statuses.computeIfAbsent(id, key -> new CopyOnWriteArrayList<>()).add(completion.status());
        }
    }
}
