package org.qmp4j.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The training run of the CLI's class-data-sharing archive, run once at {@code mvn package}
 * under {@code -XX:ArchiveClassesAtExit} (see the examples pom): it loads every class of the jar
 * (not initialising them), then runs {@code qmp4j qmp query-status} and two quiesced
 * {@code qmp4j snapshot}s against a {@link TrainingVm} in this JVM, so the archive also holds what
 * a real command creates on its way (lambdas, generated accessors), the freeze window's path
 * included. Needs no QEMU. {@code bin/qmp4j} starts the JVM with the archive when it is there; a
 * JVM that cannot use it (another JDK, a rebuilt jar) ignores it.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        int loaded = loadEveryClass();
        Path dir = Files.createTempDirectory("qmp4j-cds-");
        try {
            // the schema file the snapshots keep and read goes with the rest, not into ~/.cache
            System.setProperty(CommonOptions.SCHEMA_CACHE_PROPERTY, dir.resolve("schemas").toString());
            try (TrainingVm vm = new TrainingVm(dir)) {
                String qmp = vm.qmpSocket().toString();
                train(new String[] {"qmp", "--socket", qmp, "query-status"}, "\"running\"");
                for (String name : List.of("training-1", "training-2")) { // the second reads the kept schema
                    train(new String[] {"snapshot", "--qmp", qmp, "--qga", vm.agentSocket().toString(), "--name", name,
                            "--state-dir", dir.resolve("state").toString()}, "quiesced:            yes");
                }
            }
            System.out.println("qmp4j CDS training: " + loaded + " classes loaded; query-status and two quiesced "
                    + "snapshots ran");
        } finally {
            System.clearProperty(CommonOptions.SCHEMA_CACHE_PROPERTY);
            deleteRecursively(dir);
        }
    }

    /**
     * Runs the CLI with {@code args}; fails the build unless it succeeded and printed
     * {@code expected}: a training run that went another way would leave its path out of the archive.
     */
    private static void train(String[] args, String expected) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        int code = Qmp4jCli.run(args, out, out);
        String printed = output.toString(StandardCharsets.UTF_8);
        if (code != 0 || !printed.contains(expected)) {
            throw new IllegalStateException("CDS training: 'qmp4j " + String.join(" ", args) + "' exited " + code
                    + " without printing " + expected + ":\n" + printed);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static int loadEveryClass() throws Exception {
        Path jar = Path.of(CdsTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ClassLoader loader = CdsTraining.class.getClassLoader();
        int loaded = 0;
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false, loader);
                    loaded++;
                } catch (LinkageError | ClassNotFoundException ignored) {
                    // a class for an optional dependency that is not in the jar: nothing to archive
                }
            }
        }
        return loaded;
    }
}
