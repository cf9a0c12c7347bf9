package org.qmp4j.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.InvalidArgumentsException;
import org.qmp4j.core.transport.EncodedCommand;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.MessageListener;
import org.qmp4j.core.transport.ProtocolConnection;
import org.qmp4j.core.transport.TransportSettings;
import org.qmp4j.qmp.CapabilityNotNegotiatedException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.EventTimeoutException;
import org.qmp4j.qmp.Greeting;
import org.qmp4j.qmp.OverflowPolicy;
import org.qmp4j.qmp.PreparedCommand;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpEvent;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.qmp.QmpSchema;

/** The {@link QmpClient} on a {@link ProtocolConnection}. */
public final class DefaultQmpClient implements QmpClient {
    private final ProtocolConnection connection;
    private final QmpOptions options;
    private final EventDispatcher events;
    private final QmpSession session;
    private final Object schemaLock = new Object();
    private CompletableFuture<QmpSchema> schema;

    private DefaultQmpClient(ProtocolConnection connection, QmpOptions options, QmpSession session) {
        this.connection = connection;
        this.options = options;
        this.session = session;
        this.events = session.events();
    }

    /** Connects, waits for the greeting, negotiates, and completes with a ready client. */
    public static CompletableFuture<QmpClient> connect(QmpOptions options) {
        TransportSettings settings = new TransportSettings(options.endpoint(), options.connectTimeout(),
                options.commandTimeout(), options.maxFrameBytes(), "QMP");
        return ProtocolConnection.connect(settings, options.resources().orElse(null),
                new ProtocolConnection.Protocol<QmpClient>() {
                    private QmpSession session;

                    @Override
                    public MessageListener listener(ProtocolConnection connection) {
                        session = new QmpSession(connection, options.enableOob());
                        return session;
                    }

                    @Override
                    public CompletableFuture<QmpClient> handshake(ProtocolConnection connection) {
                        return session.negotiate().thenApply(v -> new DefaultQmpClient(connection, options, session));
                    }
                });
    }

    @Override
    public Greeting greeting() {
        return session.greeting();
    }

    @Override
    public Set<String> negotiatedCapabilities() {
        return session.negotiated();
    }

    @Override
    public ConnectionState state() {
        return connection.state();
    }

    @Override
    public QmpOptions options() {
        return options;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return connection.closeFuture();
    }

    @Override
    public CompletableFuture<JsonNode> executeAsync(String command, Object arguments, CommandOptions options) {
        ObjectNode args;
        try {
            args = Json.toArguments(arguments);
            checkOob(command, options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.send(command, args, options, false);
    }

    @Override
    public PreparedCommand prepare(String command, Object arguments) {
        Objects.requireNonNull(command, "command");
        try {
            return new Prepared(EncodedCommand.of(command, Json.toArguments(arguments)));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentsException(command + ": cannot encode arguments: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<JsonNode> executeAsync(PreparedCommand command, CommandOptions options) {
        if (!(command instanceof Prepared prepared)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "not prepared by QmpClient.prepare: " + command));
        }
        return connection.sendEncoded(prepared.encoded(), options);
    }

    /** What {@link #prepare} makes: the command's bytes, but for the id. */
    private record Prepared(EncodedCommand encoded) implements PreparedCommand {
        @Override
        public String name() {
            return encoded.name();
        }
    }

    @Override
    public JsonNode execute(String command, Object arguments, CommandOptions options) {
        ObjectNode args = Json.toArguments(arguments);
        checkOob(command, options);
        return connection.call(command, args, options);
    }

    @Override
    public <T> CompletableFuture<T> executeAsync(String command, Object arguments, Class<T> type,
                                                 CommandOptions options) {
        return executeAsync(command, arguments, options).thenApply(r -> Json.convert(command, r, type));
    }

    private void checkOob(String command, CommandOptions options) {
        if (options.oob() && !session.negotiated().contains("oob")) {
            throw new CapabilityNotNegotiatedException("oob", command + ": out-of-band execution was not negotiated "
                    + "(set QmpOptions.enableOob and use a QEMU that offers it)");
        }
    }

    @Override
    public EventSubscription subscribe(EventFilter filter, int capacity, OverflowPolicy policy) {
        return events.subscribe(filter, capacity, policy);
    }

    @Override
    public EventSubscription addListener(EventFilter filter, int capacity, OverflowPolicy policy,
                                         Consumer<QmpEvent> listener) {
        return events.listen(filter, capacity, policy, listener);
    }

    @Override
    public CompletableFuture<QmpEvent> executeAndAwaitEventAsync(String command, Object arguments, EventFilter event,
                                                                 Duration eventTimeout) {
        CompletableFuture<QmpEvent> awaited = events.first(event);
        var timer = connection.resources().schedule(() -> awaited.completeExceptionally(
                new EventTimeoutException(command, eventTimeout)), eventTimeout);
        awaited.whenComplete((e, t) -> timer.cancel(false));
        CompletableFuture<JsonNode> reply = executeAsync(command, arguments);
        reply.whenComplete((r, t) -> {
            if (t != null) {
                awaited.cancel(false);
            }
        });
        return reply.thenCompose(r -> awaited);
    }

    @Override
    public CompletableFuture<QmpSchema> schemaAsync() {
        synchronized (schemaLock) {
            if (schema == null || schema.isCompletedExceptionally()) {
                // With resources of its own a client is alone: nothing to share the schema with.
                boolean shared = options.resources().isPresent();
                SchemaFiles files = options.schemaCacheDirectory().map(SchemaFiles::new).orElse(null);
                schema = shared || files != null ? keyedSchema(shared, files) : readSchema();
            }
            return schema;
        }
    }

    private CompletableFuture<QmpSchema> readSchema() {
        return executeAsync("query-qmp-schema").thenApply(QmpSchema::parse);
    }

    /**
     * The schema by this binary's version and commands: from the resources' {@link SchemaCache}
     * when {@code shared}, else (or on a miss there) from {@code files} when given, else from QEMU.
     * A peer without {@code query-commands} has no key: its schema is read from it.
     */
    private CompletableFuture<QmpSchema> keyedSchema(boolean shared, SchemaFiles files) {
        return executeAsync("query-commands").handle((commands, error) -> {
            if (error != null) {
                return Blocking.unwrap(error) instanceof CommandException ? readSchema()
                        : CompletableFuture.<QmpSchema>failedFuture(error);
            }
            Set<String> names = new HashSet<>();
            for (JsonNode command : commands) {
                names.add(command.path("name").asText());
            }
            SchemaCache.Key key = new SchemaCache.Key(greeting().version(), names);
            Supplier<CompletableFuture<QmpSchema>> read = files == null ? this::readSchema : () -> readThrough(files, key);
            return shared ? connection.resources().shared(SchemaCache.class, SchemaCache::new).schema(key, read)
                    : read.get();
        }).thenCompose(f -> f);
    }

    /**
     * The schema kept in {@code files} for {@code key}; without one, QEMU's, kept there for the
     * next process. The file work runs on the event executor, never on an I/O thread.
     */
    private CompletableFuture<QmpSchema> readThrough(SchemaFiles files, SchemaCache.Key key) {
        Executor executor = connection.resources().eventExecutor();
        Path file = files.fileOf(key);
        return CompletableFuture.supplyAsync(() -> files.load(key, file), executor).thenCompose(kept -> kept.isPresent()
                ? CompletableFuture.completedFuture(kept.get())
                : executeAsync("query-qmp-schema").thenApplyAsync(json -> {
                    QmpSchema read = QmpSchema.parse(json);
                    files.store(file, json);
                    return read;
                }, executor));
    }

    @Override
    public CompletableFuture<JsonNode> executeWithFdsAsync(String command, Object arguments, List<FileDescriptor> fds,
                                                           CommandOptions options) {
        ObjectNode args;
        try {
            args = Json.toArguments(arguments);
            checkOob(command, options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.sendWithFds(command, args, options, fds.toArray(FileDescriptor[]::new));
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return connection.closeAsync();
    }

    @Override
    public CompletableFuture<Void> abort() {
        return connection.abort();
    }

    @Override
    public void close() {
        Blocking.awaitClose(closeAsync());
    }

    @Override
    public String toString() {
        return "QmpClient[" + options.endpoint() + ", " + state() + "]";
    }
}
