package dev.gatehouse.examples.bench;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * What raw gzip costs for one response body: the CPU time of a reused JDK {@link Deflater} at level 1 (the level
 * the load test's gateway and nginx use) with its CRC-32, on the very bytes a URL answers, in microseconds per
 * body. {@code benchmarks/load.sh} adds it to bare Jetty's CPU per request for the gateway's CPU target (the
 * gateway compresses, bare Jetty does not). Measured as this thread's CPU time, so that other processes on the
 * machine do not count. Usage: {@code java -cp ... GzipCost <url> [seconds]}; prints {@code gzip-us-per-body=N}.
 */
public final class GzipCost {
    private GzipCost() {}

    public static void main(String[] args) throws Exception {
        byte[] body;
        try (InputStream in = URI.create(args[0]).toURL().openStream()) {
            body = in.readAllBytes();
        }
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
        Deflater deflater = new Deflater(1, true);
        byte[] out = new byte[Math.max(1024, body.length * 2)];
        CRC32 crc = new CRC32();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        // Warm-up: the JIT compiles the loop; then count bodies and this thread's CPU time over the measured span.
        for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) {
            sink += gzip(deflater, crc, body, out);
        }
        long bodies = 0;
        long cpuBefore = threads.getCurrentThreadCpuTime();
        for (long end = System.nanoTime() + seconds * 1_000_000_000L; System.nanoTime() < end; bodies++) {
            sink += gzip(deflater, crc, body, out);
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        deflater.end();
        System.out.printf(
                "gzip-us-per-body=%.2f bytes=%d bodies=%d (%d)%n", cpu / 1e3 / bodies, body.length, bodies, sink & 1);
    }

    private static long gzip(Deflater deflater, CRC32 crc, byte[] body, byte[] out) {
        deflater.reset();
        deflater.setInput(body);
        deflater.finish();
        long written = 0;
        while (!deflater.finished()) {
            written += deflater.deflate(out);
        }
        crc.reset();
        crc.update(body);
        return written + crc.getValue();
    }
}
