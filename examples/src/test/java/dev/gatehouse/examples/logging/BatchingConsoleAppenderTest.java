package dev.gatehouse.examples.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The gateway's console logging (logback.xml) through the batching appender: nothing lost, nothing held back. */
class BatchingConsoleAppenderTest {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream original = System.out;
    private final LoggerContext context = new LoggerContext();

    @BeforeEach
    void configure() throws Exception {
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(getClass().getResource("/logback.xml"));
    }

    @AfterEach
    void restore() {
        context.stop();
        System.setOut(original);
    }

    @Test
    void manyThreadsLoseNoEventAndEachLineIsWholeAndInOrderPerThread() throws Exception {
        Logger log = context.getLogger("dev.gatehouse.access");
        int threads = 4;
        int perThread = 5_000; // more than the queue holds, so request threads also wait for the writer
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    log.info("GET /orders/{} 200 thread={} seq={}", i, thread, i);
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        context.stop();

        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
        Pattern line = Pattern.compile(
                "\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  dev\\.gatehouse\\.access - GET /orders/(\\d+) 200 thread=(\\d) seq=(\\d+)");
        Map<String, Integer> last = new HashMap<>();
        for (String text : lines) {
            Matcher matcher = line.matcher(text);
            assertThat(matcher.matches()).as("a whole line: %s", text).isTrue();
            assertThat(matcher.group(1)).isEqualTo(matcher.group(3));
            int seq = Integer.parseInt(matcher.group(3));
            Integer previous = last.put(matcher.group(2), seq);
            assertThat(seq).as("thread %s in order", matcher.group(2)).isEqualTo(previous == null ? 0 : previous + 1);
        }
        assertThat(lines).hasSize(threads * perThread);
        assertThat(last)
                .hasSize(threads)
                .allSatisfy((thread, seq) -> assertThat(seq).isEqualTo(perThread - 1));
    }

    @Test
    void aLoneEventIsWrittenWithinTheFlushIntervalNotHeldUntilShutdown() throws Exception {
        context.getLogger("dev.gatehouse.access").info("GET /health 200");

        long deadline = System.nanoTime() + 2_000_000_000L; // flushMillis is 100; generous for a busy machine
        while (!captured.toString(StandardCharsets.UTF_8).contains("GET /health 200") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("GET /health 200");
    }
}
