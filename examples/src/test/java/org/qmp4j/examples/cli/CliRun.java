package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One run of the CLI and what it printed: in this JVM through {@link Qmp4jCli#run} (no
 * {@code System.exit}), or as a separate process through the wrapper script.
 *
 * @param exitCode the exit status
 * @param out what went to stdout
 * @param err what went to stderr
 */
record CliRun(int exitCode, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far beyond any run in these tests; only there so that a hang fails instead of blocking the build. */
    private static final Duration PROCESS_LIMIT = Duration.ofSeconds(60);

    /** Runs the CLI in this JVM with the default subcommands. */
    static CliRun inProcess(String... args) {
        return inProcess(new ByteArrayOutputStream(), args);
    }

    private static CliRun inProcess(ByteArrayOutputStream out, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Qmp4jCli.run(args, o, e);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs the CLI in this JVM on a thread of its own. Give the CLI a {@code --timeout} so that the
     * thread always ends; the caller waits for {@link Background#result()}.
     */
    static Background inBackground(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<CliRun> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(inProcess(out, args));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "cli-under-test");
        thread.setDaemon(true);
        thread.start();
        return new Background(result, out);
    }

    /** A run on its own thread: its stdout can be watched while it runs. */
    record Background(CompletableFuture<CliRun> result, ByteArrayOutputStream out) {
        /** Whether it printed something yet (then, for {@code events}, it is subscribed). */
        boolean printed() {
            return out.size() > 0;
        }

        /** Waits for the end; this only guards against a hang, the CLI's own --timeout ends it. */
        CliRun await() throws Exception {
            return result.get(PROCESS_LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** The wrapper script {@code examples/bin/qmp4j}, as the build tells the tests. */
    static Path script() {
        return Path.of(System.getProperty("qmp4j.script", "bin/qmp4j")).toAbsolutePath();
    }

    /**
     * The CLI option that keeps its schema files where this test JVM's build says (not in the
     * user's cache); empty when the build says nothing.
     */
    static String schemaCacheOption() {
        String dir = System.getProperty(CommonOptions.SCHEMA_CACHE_PROPERTY);
        return dir == null ? "" : "-D" + CommonOptions.SCHEMA_CACHE_PROPERTY + "=" + dir;
    }

    /** Starts {@code script} with {@code args} as a process whose output goes to files in {@code dir}. */
    static Running start(Path script, Path dir, String... args) {
        return start(script, dir, List.of(), args);
    }

    /** {@link #start(Path, Path, String...)} with more options for the CLI's JVM. */
    static Running start(Path script, Path dir, List<String> javaOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("cli-" + System.nanoTime() + ".out");
        Path err = dir.resolve(out.getFileName() + ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            String state = System.getProperty("qmp4j.stateDirectory");
            // the CLI keeps its journals and schema files where the in-process runs keep theirs
            builder.environment().put("QMP4J_JAVA_OPTS", (state == null ? "" : "-Dqmp4j.stateDirectory=" + state + " ")
                    + schemaCacheOption() + " " + String.join(" ", javaOptions));
            Process process = builder.start();
            return new Running(process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code script} with {@code args} as a process and waits for it. */
    static CliRun viaScript(Path script, Path dir, String... args) {
        return viaScript(script, dir, List.of(), args);
    }

    /** {@link #viaScript(Path, Path, String...)} with more options for the CLI's JVM. */
    static CliRun viaScript(Path script, Path dir, List<String> javaOptions, String... args) {
        try (Running running = start(script, dir, javaOptions, args)) {
            return running.await();
        }
    }

    /** stdout parsed as one JSON document. */
    JsonNode json() {
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new AssertionError("stdout is not one JSON document: " + out, e);
        }
    }

    /** stdout's lines, each parsed as JSON. */
    List<JsonNode> jsonLines() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.lines().toList()) {
            try {
                lines.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }
        return lines;
    }

    /** A CLI process; closing it kills it if it still runs and deletes its output files. */
    record Running(Process process, Path out, Path err) implements AutoCloseable {
        /** Waits for the end (failing after a generous limit) and reads the output. */
        CliRun await() {
            try {
                if (!process.waitFor(PROCESS_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("qmp4j did not end within " + PROCESS_LIMIT);
                }
                return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
