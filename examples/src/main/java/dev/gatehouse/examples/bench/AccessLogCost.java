package dev.gatehouse.examples.bench;

import ch.qos.logback.classic.LoggerContext;
import dev.gatehouse.Completion;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.host.HostExchange;
import dev.gatehouse.logging.AccessLogPolicy;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * The CPU one access-log event costs the whole process (the request thread's share and the appender's), through
 * the logging configuration the gateway runs with: {@code threads} request threads log {@code events} events in
 * all, then the logging system is stopped (draining its queue) and the process CPU time is divided by the events.
 * Run with stdout redirected, as a gateway runs: {@code java -cp ... AccessLogCost [events] [threads] > file}.
 * Prints its result on stderr.
 */
public final class AccessLogCost {
    private AccessLogCost() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        // Events per second and thread: a gateway under load logs a steady stream, not a burst.
        long pauseNanos = args.length > 2 ? 1_000_000_000L / Long.parseLong(args[2]) : 0;
        boolean off = args.length > 3 && args[3].equals("off");
        AccessLogPolicy log = AccessLogPolicy.of(
                off ? org.slf4j.helpers.NOPLogger.NOP_LOGGER : LoggerFactory.getLogger("dev.gatehouse.access"));
        Exchange exchange = HostExchange.builder("GET", "/bench")
                .headers(Headers.empty())
                .peerAddress("127.0.0.1")
                .build();
        exchange.setAttribute(Exchange.REQUEST_ID, "0f8c6e2a-3b1d-4f5e-9a7c-2d4e6f8a0b1c");
        Completion completion = new Completion(200, Duration.ofNanos(812_345), Optional.empty());
        run(log, exchange, completion, 200_000, threads, 0); // warm-up
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long wallBefore = System.nanoTime();
        run(log, exchange, completion, events, threads, pauseNanos);
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop(); // writes what the appenders still hold
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        System.err.printf(
                "access-log cpu-us-per-event=%.2f events=%d threads=%d wall-us-per-event=%.2f%n",
                cpu / 1e3 / events, events, threads, wall / 1e3 / events);
    }

    private static void run(
            AccessLogPolicy log, Exchange exchange, Completion completion, int events, int threads, long pauseNanos)
            throws InterruptedException {
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                for (int i = 0; i < events / threads; i++) {
                    log.onComplete(exchange, completion);
                    if (pauseNanos > 0) {
                        LockSupport.parkNanos(pauseNanos);
                    }
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }
}
