package dev.gatehouse.examples.gateway;

import dev.gatehouse.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What the browser tests need: Debian's Chromium (or {@code GATEHOUSE_CHROMIUM}), {@code node}, and {@code
 * playwright-core} installed by {@code npm ci} in {@code src/test/browser}. A test without them is skipped, unless
 * {@code GATEHOUSE_REQUIRE_TOOLS} is set (CI), when it fails.
 */
final class BrowserTools {
    static final Path SCRIPTS = Path.of("src/test/browser");

    private BrowserTools() {}

    /** The Chromium to drive; aborts (or fails, with GATEHOUSE_REQUIRE_TOOLS) when a tool is missing. */
    static String requireChromium(String test) {
        String chromium =
                Optional.ofNullable(System.getenv("GATEHOUSE_CHROMIUM")).orElse("/usr/bin/chromium");
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(chromium))) {
            missing.add(chromium + " (apt-get install chromium)");
        }
        if (!Tools.runs("node", "--version")) {
            missing.add("node (apt-get install nodejs npm)");
        }
        if (!Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))) {
            missing.add("playwright-core (npm ci --prefix examples/src/test/browser)");
        }
        if (!missing.isEmpty()) {
            String message = test + " needs " + String.join(", ", missing);
            if (System.getenv("GATEHOUSE_REQUIRE_TOOLS") != null) {
                throw new AssertionError(message + "; GATEHOUSE_REQUIRE_TOOLS is set");
            }
            Assumptions.abort(message);
        }
        return chromium;
    }
}
