package org.qmp4j.examples.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The training run of the CLI's class-data-sharing archive, run once at {@code mvn package}
 * under {@code -XX:ArchiveClassesAtExit} (see the examples pom): it loads every class of the jar
 * (not initialising them), then runs {@code qmp4j qmp query-status} against a minimal QMP
 * monitor in this JVM, so the archive also holds what a real connection creates (lambdas,
 * generated accessors). Needs no QEMU. {@code bin/qmp4j} starts the JVM with the archive when it
 * is there; a JVM that cannot use it (another JDK, a rebuilt jar) ignores it.
 */
public final class CdsTraining {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\"[^\"]*\"|\\d+)");

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        int loaded = loadEveryClass();
        Path dir = Files.createTempDirectory("qmp4j-cds-");
        Path socket = dir.resolve("qmp.sock");
        try (AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(socket))) {
            Thread monitor = new Thread(() -> serve(server), "cds-training-monitor");
            monitor.setDaemon(true);
            monitor.start();
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            int code = Qmp4jCli.run(new String[] {"qmp", "--socket", socket.toString(), "query-status"}, quiet, quiet);
            System.out.println("qmp4j CDS training: " + loaded + " classes loaded, a query-status run exited " + code);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
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

    /** Greets, then answers every command with an empty return, for one client. */
    private static void serve(AFUNIXServerSocket server) {
        try (AFUNIXSocket client = server.accept();
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                     StandardCharsets.UTF_8));
             OutputStream out = client.getOutputStream()) {
            out.write(("{\"QMP\":{\"version\":{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":0},\"package\":\"\"},"
                    + "\"capabilities\":[\"oob\"]}}\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Matcher id = ID.matcher(line);
                String reply = "{\"return\":{}" + (id.find() ? ",\"id\":" + id.group(1) : "") + "}\r\n";
                out.write(reply.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (Exception e) {
            // the CLI hung up: training is over
        }
    }
}
