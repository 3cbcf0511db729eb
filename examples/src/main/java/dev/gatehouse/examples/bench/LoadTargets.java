package dev.gatehouse.examples.bench;

import ch.qos.logback.classic.Level;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.cache.HttpCachePolicy;
import dev.gatehouse.cache.InMemoryHttpCacheStore;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.examples.backends.EchoServlet;
import dev.gatehouse.examples.gateway.Gateway;
import dev.gatehouse.examples.gateway.GatewayRoute;
import dev.gatehouse.logging.AccessLogPolicy;
import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.RateLimitPolicy;
import dev.gatehouse.requestid.RequestIdPolicy;
import dev.gatehouse.servlet.OffloadFilter;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java side of {@code benchmarks/load.sh}, in two processes so that CPU is measured per side: {@code
 * backend} starts the echo backend and prints {@code backend=<port>}; {@code proxies <backendPort>} starts a bare
 * Jetty {@code ProxyHandler} in front of it (the floor the gateway is built on) and the gateway with JWT +
 * rate limit + request id + access log + gzip level 1 (and the same without the access log), and prints {@code
 * bare=<port> gateway=<port> nolog=<port> token=<jwt>}; {@code services} starts what a library user runs: the
 * echo servlet on Jetty, plainly and behind {@code OffloadFilter} with request id + access log + JWT (cached) + local
 * rate limit, no compression, the same with the access log's logger at WARN, and behind {@link FieldsOnlyFilter} (the
 * chain's fields alone), and prints {@code plain=<port> filtered=<port> quiet=<port> floor=<port> token=<jwt>}.
 * {@link TomcatServices} starts the same four on Tomcat.
 */
public final class LoadTargets {
    static final String ACCESS_LOG = "dev.gatehouse.access";

    private LoadTargets() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("backend")) {
            Server backend = new Server();
            ServerConnector backendConnector = connector(backend, 0);
            ServletContextHandler context = new ServletContextHandler();
            context.addServlet(new ServletHolder(new EchoServlet()), "/*");
            backend.setHandler(context);
            backend.start();
            System.out.printf("backend=%d%n", backendConnector.getLocalPort());
            System.out.flush();
            backend.join();
            return;
        }
        byte[] secret = secret();
        String token = token(secret);
        if (args[0].equals("services")) {
            Server plain = service(null);
            Server filtered = service(serviceChain(secret, LoggerFactory.getLogger(ACCESS_LOG)));
            Server quiet = service(serviceChain(secret, quietAccessLog()));
            Server floor = serviceBehind(new FieldsOnlyFilter());
            System.out.printf(
                    "plain=%d filtered=%d quiet=%d floor=%d token=%s%n",
                    port(plain), port(filtered), port(quiet), port(floor), token);
            System.out.flush();
            plain.join();
            return;
        }
        int backendActual = Integer.parseInt(args[1]);

        Server bare = new Server();
        ServerConnector bareConnector = connector(bare, 0);
        bare.setHandler(new ProxyHandler.Reverse("https?://[^/]+(/.*)", "http://127.0.0.1:" + backendActual + "$1"));
        bare.start();

        URI upstream = URI.create("http://127.0.0.1:" + backendActual);
        Gateway gateway = gateway(upstream, chain(secret, true));
        Gateway quiet = gateway(upstream, chain(secret, false));
        Gateway cached = gateway(upstream, cachedChain(secret));

        System.out.printf(
                "bare=%d gateway=%d nolog=%d cached=%d token=%s%n",
                bareConnector.getLocalPort(),
                gateway.uri().getPort(),
                quiet.uri().getPort(),
                cached.uri().getPort(),
                token);
        System.out.flush();
        gateway.join();
    }

    /** JWT (HS256) + rate limit + request id + gzip level 1, and the access log when {@code accessLog}. */
    private static PolicyChain chain(byte[] secret, boolean accessLog) {
        PolicyChain.Builder chain = PolicyChain.builder().add("request-id", RequestIdPolicy.ofDefaults());
        if (accessLog) {
            chain.add("access-log", AccessLogPolicy.ofDefaults());
        }
        return chain.add("ratelimit", rateLimit())
                .add("jwt", jwt(secret))
                .add("compression", CompressionPolicy.builder().level(1).build())
                .build();
    }

    /** The gateway's chain with the HTTP cache inside compression: bodies stored plain, encoded per client. */
    private static PolicyChain cachedChain(byte[] secret) {
        return PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add("access-log", AccessLogPolicy.ofDefaults())
                .add("ratelimit", rateLimit())
                .add("jwt", jwt(secret))
                .add("compression", CompressionPolicy.builder().level(1).build())
                .add("cache", HttpCachePolicy.of(InMemoryHttpCacheStore.of(64L * 1024 * 1024)))
                .build();
    }

    /**
     * What a library user's service runs behind {@code OffloadFilter}: request id + access log (to {@code
     * accessLog}) + local rate limit + JWT (HS256, cached), no compression.
     */
    static PolicyChain serviceChain(byte[] secret, Logger accessLog) {
        return PolicyChain.builder()
                .add("request-id", RequestIdPolicy.ofDefaults())
                .add("access-log", AccessLogPolicy.of(accessLog))
                .add("ratelimit", rateLimit())
                .add("jwt", jwt(secret))
                .build();
    }

    /** The access log at WARN: the policy runs, its logger says INFO is off (what {@code ACCESS_LOG=WARN} does). */
    static Logger quietAccessLog() {
        ch.qos.logback.classic.Logger quiet =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ACCESS_LOG + ".quiet");
        quiet.setLevel(Level.WARN);
        return quiet;
    }

    /** A random HS256 secret, and a token it signs that {@link #serviceChain} accepts for two hours. */
    static byte[] secret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    static String token(byte[] secret) {
        return JWT.create()
                .withIssuer("https://load.test")
                .withAudience("load")
                .withSubject("load-user")
                .withExpiresAt(Instant.now().plus(Duration.ofHours(2)))
                .sign(Algorithm.HMAC256(secret));
    }

    private static RateLimitPolicy rateLimit() {
        return RateLimitPolicy.builder().limits(Limit.perMinute(1_000_000_000L)).build();
    }

    private static AuthPolicy jwt(byte[] secret) {
        return AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer("https://load.test", KeySet.of(JwtKey.hmac(null, JwtAlgorithm.HS256, secret)))
                .audience("load")
                .build());
    }

    /** The echo servlet on Jetty, behind {@code OffloadFilter} when a chain is given. */
    private static Server service(@Nullable PolicyChain chain) throws Exception {
        return serviceBehind(chain == null ? null : OffloadFilter.of(chain));
    }

    /** The echo servlet, behind {@code filter} (none when null). */
    private static Server serviceBehind(jakarta.servlet.@Nullable Filter filter) throws Exception {
        Server server = new Server();
        connector(server, 0);
        ServletContextHandler context = new ServletContextHandler();
        if (filter != null) {
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        }
        context.addServlet(new ServletHolder(new EchoServlet()), "/*");
        server.setHandler(context);
        server.start();
        return server;
    }

    private static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    private static Gateway gateway(URI upstream, PolicyChain chain) throws Exception {
        return Gateway.builder()
                .listen("127.0.0.1", 0)
                .route(new GatewayRoute("/", List.of(upstream), chain, Duration.ofSeconds(30)))
                .build()
                .start();
    }

    private static ServerConnector connector(Server server, int port) {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        return connector;
    }
}
