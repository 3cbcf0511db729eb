package dev.gatehouse.examples.gateway;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.auth.ApiKeyAuthenticator;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.auth.ScopePolicy;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.examples.backends.BuiltinBackends;
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.idempotency.IdempotencyPolicy;
import dev.gatehouse.idempotency.InMemoryIdempotencyStore;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.metrics.MicrometerChainListener;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitKey;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The gateway in demo mode: a built-in echo backend behind every policy, with credentials made up at start-up,
 * on plain HTTP (HTTP/1.1 and h2c) and on HTTPS with HTTP/2 over a generated self-signed certificate.
 *
 * <ul>
 *   <li>{@code /health}: answered by the gateway, no policies.
 *   <li>{@code /public/**}: request id, access log, 60 requests per minute per client address, compression.
 *   <li>{@code /api/**}: request id, access log, a cheap per-address limit, a JWT or an API key, scope {@code
 *       orders:read}, limits per principal and plan, compression, idempotency keys for POST and PATCH.
 *   <li>{@code /dashboard}: a JWT or an API key, then the {@code users}, {@code orders} and {@code
 *       notifications} backends called in parallel and merged into one JSON object.
 * </ul>
 */
public final class DemoGateway {
    public static final String ISSUER = "https://demo.gatehouse.dev";
    public static final String AUDIENCE = "demo-api";

    private final BuiltinBackends backends;
    private final Gateway gateway;
    private final String token;
    private final String apiKey;
    private final SelfSignedCertificate certificate;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerChainListener metrics = new MicrometerChainListener(registry);
    private final AdminServer admin;
    private final RateLimitPolicy publicLimits;
    private final IdempotencyPolicy idempotency;
    private static final int DEMO_ADMIN_PORT = 9090;
    private static final int DEMO_TLS_PORT = 8443;

    private DemoGateway(String host, int port) throws Exception {
        backends = BuiltinBackends.start();
        URI echoUri = backends.uri();

        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        token = JWT.create()
                .withKeyId("demo")
                .withIssuer(ISSUER)
                .withAudience(AUDIENCE)
                .withSubject("demo-user")
                .withClaim("scope", "orders:read orders:write")
                .withClaim("plan", "premium")
                .withIssuedAt(Instant.now())
                .withExpiresAt(Instant.now().plus(Duration.ofHours(12)))
                .sign(Algorithm.HMAC256(secret));
        byte[] keyBytes = new byte[16];
        random.nextBytes(keyBytes);
        apiKey = "gh_demo_" + HexFormat.of().formatHex(keyBytes);

        JwtAuthenticator jwt = JwtAuthenticator.builder()
                .issuer(ISSUER, KeySet.of(JwtKey.hmac("demo", JwtAlgorithm.HS256, secret)))
                .audience(AUDIENCE)
                .build();
        ApiKeyAuthenticator apiKeys = ApiKeyAuthenticator.builder()
                .key(apiKey, "demo-service", "free", Set.of("orders:read"))
                .build();
        RequestIdPolicy requestIds = RequestIdPolicy.ofDefaults();
        AccessLogPolicy accessLog = AccessLogPolicy.ofDefaults();
        ProxyHygienePolicy hygiene = new ProxyHygienePolicy();
        CompressionPolicy compression = CompressionPolicy.ofDefaults();

        publicLimits = RateLimitPolicy.builder().limits(Limit.perMinute(60)).build();
        metrics.bindStoreHealth("public", publicLimits.storeHealth());
        idempotency =
                IdempotencyPolicy.builder(InMemoryIdempotencyStore.ofDefaults()).build();
        metrics.bindStoreHealth("api", idempotency.storeHealth());
        PolicyChain publicChain = PolicyChain.builder()
                .listener(metrics)
                .add("request-id", requestIds)
                .add("access-log", accessLog)
                .add("proxy-hygiene", hygiene)
                .add("ratelimit", publicLimits)
                .add("compression", compression)
                .build();
        PolicyChain apiChain = PolicyChain.builder()
                .listener(metrics)
                .add("request-id", requestIds)
                .add("access-log", accessLog)
                .add("proxy-hygiene", hygiene)
                .add(
                        "ratelimit-address",
                        RateLimitPolicy.builder().limits(Limit.perMinute(600)).build())
                .add("auth", AuthPolicy.anyOf(jwt, apiKeys))
                .add("scope", ScopePolicy.require("orders:read"))
                .add(
                        "ratelimit-principal",
                        RateLimitPolicy.builder()
                                .limits(Limit.perMinute(30))
                                .plan("premium", Limit.perMinute(300))
                                .key(RateLimitKey.principal())
                                .build())
                .add("compression", compression)
                .add("idempotency", idempotency)
                .build();
        PolicyChain otherwise = PolicyChain.builder()
                .add("request-id", requestIds)
                .add("access-log", accessLog)
                .add("proxy-hygiene", hygiene)
                .build();

        GatewayMain.bindProcessMeters(registry);
        admin = new AdminServer(host, port == 0 ? 0 : DEMO_ADMIN_PORT, registry, this::status).start();
        certificate = SelfSignedCertificate.generate();
        gateway = Gateway.builder()
                .listen(host, port)
                .meterRegistry(registry)
                .tls(port == 0 ? 0 : DEMO_TLS_PORT, certificate.keyStore(), certificate.password())
                .route(new GatewayRoute("/public", List.of(echoUri), publicChain, Duration.ofSeconds(10)))
                .route(new GatewayRoute("/api", List.of(echoUri), apiChain, Duration.ofSeconds(10)))
                .aggregate(new Gateway.Aggregation(
                        "/dashboard",
                        parts(echoUri),
                        dashboardChain(requestIds, accessLog, hygiene, jwt, apiKeys, compression),
                        Duration.ofSeconds(2)))
                .otherwise(otherwise)
                .build()
                .start();
    }

    private static java.util.Map<String, URI> parts(URI backend) {
        java.util.Map<String, URI> parts = new java.util.LinkedHashMap<>();
        for (String kind : BuiltinBackends.DATA) {
            parts.put(kind, backend.resolve("/" + kind));
        }
        return parts;
    }

    private static PolicyChain dashboardChain(
            RequestIdPolicy requestIds,
            AccessLogPolicy accessLog,
            ProxyHygienePolicy hygiene,
            JwtAuthenticator jwt,
            ApiKeyAuthenticator apiKeys,
            CompressionPolicy compression) {
        return PolicyChain.builder()
                .add("request-id", requestIds)
                .add("access-log", accessLog)
                .add("proxy-hygiene", hygiene)
                .add("auth", AuthPolicy.anyOf(jwt, apiKeys))
                .add("compression", compression)
                .build();
    }

    /** Starts the backend and the gateway on {@code host:port} (port 0 picks a free one). */
    public static DemoGateway start(String host, int port) throws Exception {
        return new DemoGateway(host, port);
    }

    public URI uri() {
        return gateway.uri();
    }

    /** What {@code /admin/status} answers: routes with their upstreams' health, the stores, recent refusals. */
    java.util.Map<String, Object> status() {
        return AdminServer.status(
                gateway,
                java.util.Map.of(
                        "ratelimit",
                        java.util.Map.of(
                                "kind",
                                "local",
                                "down",
                                publicLimits.storeHealth().down()),
                        "idempotency",
                        java.util.Map.of(
                                "kind",
                                "in-memory",
                                "down",
                                idempotency.storeHealth().down())),
                null);
    }

    /** The admin port: the live console at {@code /}, {@code /metrics} (Prometheus) and {@code /admin/status}. */
    public URI adminUri() {
        return admin.uri();
    }

    /** HTTPS with HTTP/2 (ALPN), on a generated self-signed ECDSA P-256 certificate. */
    public URI tlsUri() {
        return gateway.tlsUri().orElseThrow();
    }

    public java.security.cert.X509Certificate certificate() {
        return certificate.certificate();
    }

    public String token() {
        return token;
    }

    public String apiKey() {
        return apiKey;
    }

    public EchoServlet echo() {
        return backends.echo();
    }

    public void stop() throws Exception {
        admin.stop();
        gateway.stop();
        backends.close();
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        DemoGateway demo = start("127.0.0.1", port);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                demo.stop();
                            } catch (Exception e) {
                                e.printStackTrace();
                            }
                        },
                        "gatehouse-shutdown"));
        System.out.print(demo.banner());
        demo.gateway.join();
    }

    /** What the demo prints at start-up: where it listens, the demo credentials, and curl lines that work as pasted. */
    public String banner() {
        return String.format("""

                Gatehouse demo gateway on %1$s, and %4$s with HTTP/2 on a self-signed certificate
                (built-in echo backend behind every policy); live admin console at %5$s/

                Demo JWT (sub demo-user, plan premium, scopes orders:read orders:write, 12 h):
                  %2$s
                Demo API key (owner demo-service, plan free, scope orders:read):
                  %3$s

                Try:
                  curl -i %1$s/health
                  curl -i --compressed %1$s/public/hello?size=2000
                  curl -i %1$s/api/orders
                  curl -i -H 'Authorization: Bearer %2$s' %1$s/api/orders
                  curl -i -H 'X-Api-Key: %3$s' -H 'X-User-Id: admin' %1$s/api/orders
                  curl -i -X POST -H 'Authorization: Bearer %2$s' -H 'Idempotency-Key: "order-1"' -d '{"amount":42}' %1$s/api/payments
                  curl -i -H 'Authorization: Bearer %2$s' %1$s/dashboard
                  curl -s %5$s/metrics | grep gatehouse_
                  curl -s %5$s/admin/status
                  curl -i -X TRACE %1$s/public/hello
                  curl -ik --http2 %4$s/public/hello
                  curl -i --http2-prior-knowledge %1$s/public/hello

                """, uri(), token, apiKey, tlsUri(), adminUri());
    }
}
