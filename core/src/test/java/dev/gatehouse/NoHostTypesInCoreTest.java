package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class NoHostTypesInCoreTest {

    @Test
    void coreSourcesImportNoJakartaOrJettyType() throws IOException {
        Path sources = Path.of("src/main/java");
        assertThat(sources).isDirectory();
        List<String> offenders;
        try (Stream<Path> files = Files.walk(sources)) {
            offenders = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(NoHostTypesInCoreTest::mentionsAHostType)
                    .map(Path::toString)
                    .toList();
        }
        assertThat(offenders).isEmpty();
    }

    private static boolean mentionsAHostType(Path file) {
        try {
            String text = Files.readString(file);
            return text.contains("jakarta.") || text.contains("javax.servlet") || text.contains("org.eclipse.jetty");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
