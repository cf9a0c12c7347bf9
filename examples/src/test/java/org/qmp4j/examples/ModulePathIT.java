package org.qmp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.QemuProcess;

/**
 * The three library modules as a user on the module path sees them: a named module that requires
 * {@code org.qmp4j.snapshot} compiles, runs against a real QEMU (so the descriptors' {@code requires}
 * and {@code opens} are complete at run time), and cannot compile against the shared transport,
 * which is exported to qmp4j's own modules only.
 */
class ModulePathIT {
    private static final String MAIN = """
            package demo;

            import java.nio.file.Path;
            import org.qmp4j.qmp.QmpClient;
            import org.qmp4j.snapshot.LiveSnapshots;

            public class Main {
                public static void main(String[] args) {
                    try (QmpClient qmp = QmpClient.connect(Path.of(args[0]))) {
                        System.out.println("named=" + QmpClient.class.getModule().isNamed());
                        System.out.println("status=" + qmp.queryStatus().status());
                        System.out.println("schema=" + qmp.schema().hasCommand("blockdev-create"));
                        System.out.println("disks=" + LiveSnapshots.of(qmp, null).chains().size());
                    }
                }
            }
            """;

    private static final String INTERNAL_USER = """
            package demo;

            public class UsesTransport {
                Object factory = org.qmp4j.core.transport.Json.FACTORY;
            }
            """;

    @TempDir
    Path dir;

    @Test
    void aNamedModuleUsesTheLibraryFromTheModulePath() throws Exception {
        Path classes = compile(MAIN, "Main");
        try (QemuProcess qemu = QemuProcess.startMachineNone()) {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--module-path", classes + File.pathSeparator + libraryModulePath(),
                    "-m", "demo/demo.Main", qemu.qmpSocket().toString());
            Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
            try {
                assertThat(java.waitFor(60, TimeUnit.SECONDS)).as("demo finished").isTrue();
                String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(java.exitValue()).as(out).isZero();
                assertThat(out).contains("named=true", "status=running", "schema=true", "disks=0");
            } finally {
                java.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theSharedTransportIsNotVisibleToOtherModules() throws Exception {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac(INTERNAL_USER, "UsesTransport", errors);
        assertThat(rc).isNotZero();
        assertThat(errors.toString(StandardCharsets.UTF_8))
                .contains("package org.qmp4j.core.transport is declared in module org.qmp4j.core, which does not export it");
    }

    private Path compile(String source, String className) throws IOException {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac(source, className, errors);
        assertThat(rc).as(errors.toString(StandardCharsets.UTF_8)).isZero();
        return dir.resolve("out");
    }

    private int javac(String source, String className, ByteArrayOutputStream errors) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("demo"));
        Files.writeString(src.resolve("module-info.java"), "module demo { requires org.qmp4j.snapshot; }\n");
        Files.writeString(src.resolve("demo").resolve(className + ".java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // An empty class path of its own: without one, javac in this JVM takes java.class.path,
        // so the library's packages are also in the unnamed module, and which copy javac names
        // in its error varies from run to run.
        Path noClassPath = Files.createDirectories(dir.resolve("no-class-path"));
        List<String> args = new ArrayList<>(List.of("-d", dir.resolve("out").toString(),
                "--class-path", noClassPath.toString(),
                "--module-path", libraryModulePath(),
                src.resolve("module-info.java").toString(),
                src.resolve("demo").resolve(className + ".java").toString()));
        return javac.run(null, null, errors, args.toArray(String[]::new));
    }

    /**
     * qmp4j's three modules and their dependencies, taken from this test's class path (Maven's
     * reactor puts the modules' own output there); test-only entries are left out.
     */
    private static String libraryModulePath() {
        List<String> wanted = List.of("qmp-core", "qga-client", "snapshot-api", "netty", "jackson",
                "junixsocket", "slf4j-api");
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("test-classes") && !entry.endsWith("-tests.jar"))
                .filter(entry -> wanted.stream().anyMatch(entry::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
