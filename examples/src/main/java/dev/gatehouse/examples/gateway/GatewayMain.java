package dev.gatehouse.examples.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
            } catch (GatewayConfigLoader.ConfigException e) {
                System.err.println("gatehouse: " + e.getMessage());
                System.exit(2);
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopGracefully(running), "gatehouse-shutdown"));
            System.out.println("Gatehouse gateway on " + running.gateway.uri()
                    + running.gateway.tlsUri().map(uri -> " and " + uri).orElse("") + " (config " + args[1]
                    + ", watched)" + (running.admin == null ? "" : "; admin on " + running.admin.uri()));
            running.gateway.join();
            return;
        }
        DemoGateway.main(args);
    }

    /** SIGTERM: stop accepting, let requests in flight finish within the grace period, then close. */
    private static void stopGracefully(AutoCloseable running) {
        LOG.info("stopping: no new connections; requests in flight may finish");
        try {
            running.close();
            LOG.info("stopped");
        } catch (Exception e) {
            LOG.warn("stopping failed", e);
        }
    }

    /** A gateway started from a file, its admin port, and the watcher that reloads it. */
    static final class Running implements AutoCloseable {
        final Gateway gateway;
        final GatewayFactory factory;
        final @Nullable AdminServer admin;
        final ScheduledExecutorService watcher;

        Running(
                Gateway gateway,
                GatewayFactory factory,
                @Nullable AdminServer admin,
                ScheduledExecutorService watcher) {
            this.gateway = gateway;
            this.factory = factory;
            this.admin = admin;
            this.watcher = watcher;
        }

        @Override
        public void close() throws Exception {
            watcher.shutdownNow();
            if (admin != null) {
                admin.stop();
            }
            gateway.stop();
            factory.close();
        }
    }

    /**
     * The process's own meters beside the gateway's: heap and other memory pools, threads, classes, CPU, open file
     * descriptors and uptime (Micrometer's binders), so that growth after abuse or reloads shows on {@code /metrics}.
     */
    static void bindProcessMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    }

    static Running start(Path file) throws Exception {
        GatewayConfig config = GatewayConfigLoader.load(file);
        PrometheusMeterRegistry registry =
                config.admin() == null ? null : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (registry != null) {
            bindProcessMeters(registry);
        }
        GatewayFactory factory = new GatewayFactory(registry);
        GatewayFactory.Built built;
        try {
            built = factory.build(config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            factory.close();
            throw new GatewayConfigLoader.ConfigException(file + ": " + e.getMessage(), e);
        }
        GatewayConfig.Listen listen = config.listenOrDefault();
        Gateway.Builder builder = Gateway.builder()
                .listen(listen.host(), listen.port())
                .shutdownGrace(GatewayConfig.duration(listen.shutdownGrace()))
                .stripClientHeaders(config.clientHeaderFilter().patterns())
                .requestHeaderTimeout(GatewayConfig.duration(listen.requestHeaderTimeout()))
                .clientIdleTimeout(GatewayConfig.duration(listen.idleTimeout()))
                .otherwise(factory.otherwise());
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
            GatewayConfig.Tls tls = listen.tls();
            if (tls != null && tls.clientAuthMode() != Gateway.ClientAuth.NONE) {
                builder.clientCertificates(tls.clientAuthMode(), tls.loadTrustStore());
            }
        }
        if (registry != null) {
            builder.meterRegistry(registry);
        }
        built.routes().forEach(builder::route);
        built.aggregations().forEach(builder::aggregate);
        Gateway gateway = builder.build().start();
        factory.refreshThrough(gateway.loopbackRefresh());
        ConfigReloads reloads = new ConfigReloads(file, InstantSource.system());
        AdminServer admin = null;
        if (registry != null) {
            GatewayConfig.Admin where = config.admin();
            admin = new AdminServer(
                            where.host(),
                            where.port(),
                            where.token(),
                            registry,
                            () -> AdminServer.status(gateway, factory.storeStatus(), reloads))
                    .purging(factory::cacheStore)
                    .start();
        }
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "gatehouse-config-watch");
            thread.setDaemon(true);
            return thread;
        });
        long[] seen = {stamp(file)};
        GatewayConfig[] running = {config};
        watcher.scheduleWithFixedDelay(
                () -> {
                    long now = stamp(file);
                    if (now == seen[0]) {
                        return;
                    }
                    seen[0] = now;
                    try {
                        GatewayConfig next = GatewayConfigLoader.load(file);
                        GatewayFactory.Built routes = factory.build(next);
                        gateway.replaceRoutes(
                                routes.routes(), routes.aggregations(), factory.otherwise(), next.clientHeaderFilter());
                        LOG.info(
                                "reloaded {}: {} routes, {} aggregations",
                                file,
                                next.routes().size(),
                                next.aggregations().size());
                        if (!java.util.Objects.equals(next.listenOrDefault(), running[0].listenOrDefault())
                                || !java.util.Objects.equals(next.admin(), running[0].admin())) {
                            LOG.warn("{}: listen and admin changes take effect at the next start only", file);
                        }
                        running[0] = next;
                        reloads.reloaded();
                    } catch (GatewayConfigLoader.ConfigException e) {
                        LOG.error("kept the running configuration; {} is not usable: {}", file, e.getMessage());
                        reloads.failed(e.getMessage());
                    } catch (Exception e) {
                        LOG.error("kept the running configuration; {} could not be applied: {}", file, e.toString());
                        reloads.failed("could not be applied: " + e);
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        return new Running(gateway, factory, admin, watcher);
    }

    private static long stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
