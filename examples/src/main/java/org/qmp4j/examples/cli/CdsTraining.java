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
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeOptions;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.PreparedCommand;
import org.qmp4j.qmp.QmpClient;

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
    /** The token of a {@code guest-sync-delimited}, which its reply returns. */
    private static final Pattern SYNC_TOKEN = Pattern.compile("\"arguments\"\\s*:\\s*\\{\\s*\"id\"\\s*:\\s*(\\d+)");

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
        }
        try {
            freezeWindowPath(dir);
            System.out.println("qmp4j CDS training: a freeze, a prepared transaction and the chained thaw ran");
        } finally {
            Files.deleteIfExists(dir.resolve("qmp.sock"));
            Files.deleteIfExists(dir.resolve("qga.sock"));
            Files.deleteIfExists(dir);
        }
    }

    /**
     * What runs inside a snapshot's freeze window, once, so that its lambdas and method handles
     * are in the archive instead of being spun while the guest is frozen: the freeze, the
     * prepared {@code transaction}, the thaw chained to its reply, the confirming status. Against
     * a QMP monitor and a guest agent in this JVM (which only pretends to freeze); no guardian.
     */
    private static void freezeWindowPath(Path dir) throws Exception {
        Path qmpSocket = dir.resolve("qmp.sock");
        Path agentSocket = dir.resolve("qga.sock");
        try (AFUNIXServerSocket qmpServer = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(qmpSocket));
             AFUNIXServerSocket agentServer = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(agentSocket))) {
            daemon("cds-training-monitor", () -> serve(qmpServer));
            daemon("cds-training-agent", () -> serveAgent(agentServer));
            try (QmpClient qmp = QmpClient.connect(qmpSocket);
                 GuestAgentClient agent = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(agentSocket))
                         .thawGuardian(false).build())) {
                PreparedCommand transaction = qmp.prepare("transaction", Map.of("actions", List.of(Map.of(
                        "type", "blockdev-snapshot", "data", Map.of("node", "a", "overlay", "b")))));
                FreezeHandle freeze = agent.freeze(FreezeOptions.defaults());
                qmp.executeAsync(transaction, CommandOptions.defaults()).whenComplete((r, e) -> freeze.thawAsync()).join();
                freeze.close();
            }
        }
    }

    /** The command's own id: the last {@code "id"} of the line (an argument may be called so too). */
    private static String lastId(String line) {
        Matcher m = ID.matcher(line);
        String id = null;
        while (m.find()) {
            id = m.group(1);
        }
        return id;
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** A guest agent for one client: syncs, and answers the freeze commands as if it froze one file system. */
    private static void serveAgent(AFUNIXServerSocket server) {
        try (AFUNIXSocket client = server.accept();
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                     StandardCharsets.ISO_8859_1));
             OutputStream out = client.getOutputStream()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String id = lastId(line);
                String idField = id == null ? "" : ",\"id\":" + id;
                String reply;
                if (line.contains("guest-sync-delimited")) {
                    Matcher token = SYNC_TOKEN.matcher(line);
                    reply = "\u00ff{\"return\":" + (token.find() ? token.group(1) : "0") + idField + "}";
                } else if (line.contains("guest-fsfreeze-status")) {
                    reply = "{\"return\":\"thawed\"" + idField + "}";
                } else if (line.contains("guest-fsfreeze-")) {
                    reply = "{\"return\":1" + idField + "}";
                } else {
                    reply = "{\"return\":{}" + idField + "}";
                }
                out.write((reply + "\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (Exception e) {
            // the client hung up: training is over
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
                String id = lastId(line);
                String reply = "{\"return\":{}" + (id == null ? "" : ",\"id\":" + id) + "}\r\n";
                out.write(reply.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (Exception e) {
            // the CLI hung up: training is over
        }
    }
}
