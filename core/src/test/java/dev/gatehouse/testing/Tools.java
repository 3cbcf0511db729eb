package dev.gatehouse.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Checks for the command-line tools some tests drive (node, chromium, curl). */
public final class Tools {
    private Tools() {}

    /** Whether {@code command} runs and exits with 0 within 10 s: whether a tool a test needs is installed. */
    public static boolean runs(String... command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
