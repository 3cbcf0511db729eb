package dev.gatehouse.examples.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the gateway: in demo mode with no arguments (or a port), or from a YAML file with {@code --config
 * gateway.yaml}. The file is watched: a changed file that loads is swapped in atomically; one that does not
 * leaves the running configuration in place and the log says why.
 */
public final class GatewayMain {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("--config")) {
            Running running;
            try {
                running = start(Path.of(args[1]));
            } catch (GatewayConfig.ConfigException e) {
                System.err.println("gatehouse: " + e.getMessage());
                System.exit(2);
                return;
            }
            System.out.println("Gatehouse gateway on " + running.gateway.uri() + " (config " + args[1] + ", watched)");
            running.gateway.join();
            return;
        }
        DemoGateway.main(args);
    }

    /** A gateway started from a file, and the watcher that reloads it. */
    static final class Running implements AutoCloseable {
        final Gateway gateway;
        final GatewayFactory factory;
        final ScheduledExecutorService watcher;

        Running(Gateway gateway, GatewayFactory factory, ScheduledExecutorService watcher) {
            this.gateway = gateway;
            this.factory = factory;
            this.watcher = watcher;
        }

        @Override
        public void close() throws Exception {
            watcher.shutdownNow();
            gateway.stop();
            factory.close();
        }
    }

    static Running start(Path file) throws Exception {
        GatewayConfig config = GatewayConfig.load(file);
        GatewayFactory factory = new GatewayFactory();
        List<GatewayRoute> routes;
        try {
            routes = factory.routes(config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            factory.close();
            throw new GatewayConfig.ConfigException(file + ": " + e.getMessage(), e);
        }
        GatewayConfig.Listen listen = config.listenOrDefault();
        Gateway.Builder builder =
                Gateway.builder().listen(listen.host(), listen.port()).otherwise(factory.otherwise());
        if (listen.tlsPort() != null) {
            if (listen.keystore() != null) {
                java.security.KeyStore keyStore = java.security.KeyStore.getInstance("PKCS12");
                try (java.io.InputStream in = Files.newInputStream(Path.of(listen.keystore()))) {
                    keyStore.load(in, listen.keystorePassword().toCharArray());
                }
                builder.tls(listen.tlsPort(), keyStore, listen.keystorePassword());
            } else {
                LOG.warn("listen.tlsPort without a keystore: serving a generated self-signed certificate");
                SelfSignedCertificate certificate = SelfSignedCertificate.generate();
                builder.tls(listen.tlsPort(), certificate.keyStore(), certificate.password());
            }
        }
        routes.forEach(builder::route);
        Gateway gateway = builder.build().start();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "gatehouse-config-watch");
            thread.setDaemon(true);
            return thread;
        });
        long[] seen = {stamp(file)};
        watcher.scheduleWithFixedDelay(
                () -> {
                    long now = stamp(file);
                    if (now == seen[0]) {
                        return;
                    }
                    seen[0] = now;
                    try {
                        GatewayConfig next = GatewayConfig.load(file);
                        gateway.replaceRoutes(factory.routes(next), factory.otherwise());
                        LOG.info("reloaded {}: {} routes", file, next.routes().size());
                    } catch (GatewayConfig.ConfigException e) {
                        LOG.error("kept the running configuration; {} is not usable: {}", file, e.getMessage());
                    } catch (Exception e) {
                        LOG.error("kept the running configuration; {} could not be applied: {}", file, e.toString());
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        return new Running(gateway, factory, watcher);
    }

    private static long stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
