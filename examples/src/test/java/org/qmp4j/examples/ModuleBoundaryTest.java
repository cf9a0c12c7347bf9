package org.qmp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the module descriptors cannot say: no public type of qga-client or snapshot-api imports the
 * shared transport or another module's internals (they use it from their own {@code .internal}
 * packages only), and the example programs and the CLI use nothing but the public API.
 */
class ModuleBoundaryTest {
    private static final Path ROOT = Path.of(System.getProperty("qmp4j.root", ".."));
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(org\\.qmp4j\\.[\\w.]+);", Pattern.MULTILINE);

    @Test
    void publicTypesOfTheProtocolModulesImportNoSharedInternals() throws IOException {
        List<String> offences = new ArrayList<>();
        for (String module : List.of("qga-client", "snapshot-api")) {
            for (Path file : sources(module)) {
                if (file.toString().contains("/internal/")) {
                    continue;
                }
                for (String imported : imports(file)) {
                    if (imported.startsWith("org.qmp4j.core.transport.")
                            || imported.contains(".internal.") && !imported.startsWith(packageRoot(module))) {
                        offences.add(ROOT.relativize(file) + " imports " + imported);
                    }
                }
            }
        }
        assertThat(offences).isEmpty();
    }

    @Test
    void examplesAndTheCliUseOnlyThePublicApi() throws IOException {
        List<String> offences = new ArrayList<>();
        for (Path file : sources("examples")) {
            for (String imported : imports(file)) {
                if (imported.contains(".internal.") || imported.contains(".transport.")) {
                    offences.add(ROOT.relativize(file) + " imports " + imported);
                }
            }
        }
        assertThat(offences).isEmpty();
    }

    private static String packageRoot(String module) {
        return module.equals("qga-client") ? "org.qmp4j.qga." : "org.qmp4j.snapshot.";
    }

    private static List<Path> sources(String module) throws IOException {
        Path dir = ROOT.resolve(module).resolve("src/main/java");
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> java = files.filter(f -> f.toString().endsWith(".java")).toList();
            assertThat(java).as("sources of " + module).isNotEmpty();
            return java;
        }
    }

    private static List<String> imports(Path file) throws IOException {
        List<String> found = new ArrayList<>();
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
