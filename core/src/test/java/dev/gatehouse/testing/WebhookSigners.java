package dev.gatehouse.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Webhook signatures made by independent implementations ({@code core/src/test/node/sign.js}): the {@code
 * standardwebhooks} npm package, and a Stripe-Signature built with node:crypto per Stripe's documentation.
 */
public final class WebhookSigners {
    /** Where {@code sign.js} lives, seen from the core module or from a sibling module. */
    private static final Path DIRECTORY =
            Files.isDirectory(Path.of("src/test/node")) ? Path.of("src/test/node") : Path.of("../core/src/test/node");

    private WebhookSigners() {}

    /** Aborts the test without node or the npm packages, or fails it when {@code GATEHOUSE_REQUIRE_TOOLS} is set. */
    public static void require() {
        if (!Tools.runs("node", "--version")
                || !Files.isDirectory(DIRECTORY.resolve("node_modules/standardwebhooks"))) {
            String message = "the webhook tests need node (apt-get install nodejs npm) and standardwebhooks"
                    + " (npm ci --prefix core/src/test/node)";
            if (System.getenv("GATEHOUSE_REQUIRE_TOOLS") != null) {
                throw new AssertionError(message + "; GATEHOUSE_REQUIRE_TOOLS is set");
            }
            Assumptions.abort(message);
        }
    }

    /** {@code webhook-signature} for {@code body}, as the standardwebhooks package signs it. */
    public static String standard(String secret, String id, long timestamp, byte[] body) {
        return sign(body, "standard", secret, id, Long.toString(timestamp));
    }

    /** {@code Stripe-Signature} for {@code body}: {@code t=…,v1=<hex HMAC-SHA256 of "t.body">}. */
    public static String stripe(String secret, long timestamp, byte[] body) {
        return sign(body, "stripe", secret, Long.toString(timestamp));
    }

    private static String sign(byte[] body, String... args) {
        try {
            Path payload = Files.createTempFile("webhook", ".body");
            try {
                Files.write(payload, body);
                List<String> command = new ArrayList<>(List.of("node", "sign.js"));
                command.addAll(List.of(args));
                command.add(payload.toAbsolutePath().toString());
                Process process = new ProcessBuilder(command)
                        .directory(DIRECTORY.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                String signature = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("node sign.js " + args[0] + " failed");
                }
                return signature;
            } finally {
                Files.deleteIfExists(payload);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
