package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A QMP peer that greets and negotiates like QEMU, then never answers: the way to see a command
 * time out (QEMU itself always answers). Serves one client on a UNIX socket; {@link #close()}
 * stops the thread and deletes the socket.
 */
final class SilentQmpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
            + "\"major\": 7}, \"package\": \"fake\"}, \"capabilities\": []}}\r\n";

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile SocketChannel client;

    private SilentQmpServer(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        this.thread = new Thread(this::serve, "silent-qmp-server");
        thread.setDaemon(true);
    }

    /** Listens on {@code socket} (which must not exist yet). */
    static SilentQmpServer start(Path socket) {
        try {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            SilentQmpServer s = new SilentQmpServer(socket, server);
            s.thread.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the commands received after negotiation (never answered). */
    List<String> unansweredCommands() {
        return List.copyOf(commands);
    }

    private void serve() {
        try (SocketChannel c = server.accept()) {
            client = c;
            write(c, GREETING);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                    StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode command = JSON.readTree(line);
                String name = command.path("execute").asText();
                if (name.equals("qmp_capabilities")) {
                    write(c, "{\"return\": {}, \"id\": " + command.get("id") + "}\r\n");
                } else {
                    commands.add(name);
                }
            }
        } catch (IOException e) {
            // closed by close(), or the client left: either way the job is done
        }
    }

    private static void write(SocketChannel c, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            c.write(bytes);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
        thread.join(10_000);
        Files.deleteIfExists(socket);
        if (thread.isAlive()) {
            throw new IllegalStateException("silent QMP server thread did not end");
        }
    }
}
