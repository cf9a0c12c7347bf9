package org.qmp4j.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.BlockingOnIoThreadException;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.qmp.internal.DefaultQmpClient;
import org.qmp4j.qmp.internal.Replies;

/**
 * A connection to one QEMU's QMP monitor.
 *
 * <p>{@link #connect(QmpOptions)} returns only after the greeting and capability negotiation.
 * Every command carries an id and a deadline; replies are matched by id, so commands may be sent
 * from many threads at once. The {@code *Async} methods never block; the others wait for the
 * reply and throw the failure as it is ({@link CommandException}, {@link CommandTimeoutException},
 * {@link ConnectionClosedException}). Futures complete on an I/O thread: dependent stages must
 * not block there (use the {@code *Async} variants of {@link CompletableFuture} with an executor);
 * a blocking call made there fails with {@link BlockingOnIoThreadException}.
 *
 * <p>Arguments may be {@code null}, a Jackson {@code ObjectNode}, a {@code Map}, or any object
 * Jackson turns into a JSON object. Thread-safe.
 */
public interface QmpClient extends AutoCloseable {

    /** Connects with these options; completes once negotiation is done. */
    static CompletableFuture<QmpClient> connectAsync(QmpOptions options) {
        return DefaultQmpClient.connect(options);
    }

    /** Connects with these options and waits until negotiation is done. */
    static QmpClient connect(QmpOptions options) {
        return Blocking.await(connectAsync(options));
    }

    /** Connects to the UNIX socket at {@code socket} with default options. */
    static QmpClient connect(Path socket) {
        return connect(QmpOptions.unix(socket));
    }

    /** The server's greeting. */
    Greeting greeting();

    /** Capabilities enabled by negotiation (e.g. {@code oob}). */
    Set<String> negotiatedCapabilities();

    /** The connection's state. */
    ConnectionState state();

    /** The options this client was made with. */
    QmpOptions options();

    /** Completes (never exceptionally) once the connection is closed, for whatever reason. */
    CompletableFuture<Void> closeFuture();

    // ---- commands

    /** Runs {@code command} and returns its {@code return} value. */
    CompletableFuture<JsonNode> executeAsync(String command, Object arguments, CommandOptions options);

    /** Runs {@code command} and returns its {@code return} value. */
    default CompletableFuture<JsonNode> executeAsync(String command, Object arguments) {
        return executeAsync(command, arguments, CommandOptions.defaults());
    }

    /** Runs {@code command} without arguments. */
    default CompletableFuture<JsonNode> executeAsync(String command) {
        return executeAsync(command, null, CommandOptions.defaults());
    }

    /** Runs {@code command} and decodes its {@code return} value into {@code type}. */
    <T> CompletableFuture<T> executeAsync(String command, Object arguments, Class<T> type, CommandOptions options);

    /** Runs {@code command} and decodes its {@code return} value into {@code type}. */
    default <T> CompletableFuture<T> executeAsync(String command, Object arguments, Class<T> type) {
        return executeAsync(command, arguments, type, CommandOptions.defaults());
    }

    /**
     * Encodes {@code command} with {@code arguments} now, for {@link #executeAsync(PreparedCommand,
     * CommandOptions)} later.
     *
     * @throws org.qmp4j.core.InvalidArgumentsException if the arguments cannot be encoded
     */
    PreparedCommand prepare(String command, Object arguments);

    /**
     * Sends a prepared command. Over a UNIX socket on Linux, with nothing else queued, the calling
     * thread writes its bytes itself. The result completes on the I/O thread as the reply is read,
     * so an action chained to it (say, a thaw) runs the moment the reply is in, before a thread
     * that waits for the result would even wake up.
     */
    CompletableFuture<JsonNode> executeAsync(PreparedCommand command, CommandOptions options);

    /**
     * Blocking {@link #executeAsync(String, Object, CommandOptions)}. Over a UNIX socket on Linux,
     * with nothing else queued, the calling thread writes the command itself (no hand-off to the
     * I/O thread); the reply still comes through the I/O thread, in order with events.
     *
     * <p>If the calling thread is interrupted, the call fails with a {@link Qmp4jException} and
     * its reply, if one comes, is dropped. An interrupt that lands while the thread is writing to
     * the socket (a few microseconds) also closes the connection, as it would any NIO channel.
     */
    default JsonNode execute(String command, Object arguments, CommandOptions options) {
        return Blocking.await(executeAsync(command, arguments, options));
    }

    /** Blocking {@link #executeAsync(String, Object)}. */
    default JsonNode execute(String command, Object arguments) {
        return execute(command, arguments, CommandOptions.defaults());
    }

    /** Blocking {@link #executeAsync(String)}. */
    default JsonNode execute(String command) {
        return execute(command, null, CommandOptions.defaults());
    }

    /** Blocking {@link #executeAsync(String, Object, Class, CommandOptions)}. */
    default <T> T execute(String command, Object arguments, Class<T> type, CommandOptions options) {
        return Json.convert(command, execute(command, arguments, options), type);
    }

    /** Blocking {@link #executeAsync(String, Object, Class)}. */
    default <T> T execute(String command, Object arguments, Class<T> type) {
        return execute(command, arguments, type, CommandOptions.defaults());
    }

    /** {@code query-status}. */
    default StatusInfo queryStatus() {
        return Json.decode("query-status", execute("query-status"), Replies::status);
    }

    /** {@code query-status}, async. */
    default CompletableFuture<StatusInfo> queryStatusAsync() {
        return executeAsync("query-status").thenApply(reply -> Json.decode("query-status", reply, Replies::status));
    }

    // ---- events

    /** A pull subscription to the events {@code filter} takes, with a queue of 1024 dropping the oldest. */
    default EventSubscription subscribe(EventFilter filter) {
        return subscribe(filter, 1024, OverflowPolicy.DROP_OLDEST);
    }

    /** A pull subscription with its own queue capacity and overflow policy. */
    EventSubscription subscribe(EventFilter filter, int capacity, OverflowPolicy policy);

    /**
     * A push subscription: {@code listener} receives the events {@code filter} takes, in order,
     * on the event executor (never on an I/O thread). Queue of 1024, dropping the oldest.
     */
    default EventSubscription addListener(EventFilter filter, Consumer<QmpEvent> listener) {
        return addListener(filter, 1024, OverflowPolicy.DROP_OLDEST, listener);
    }

    /** A push subscription with its own queue capacity and overflow policy. */
    EventSubscription addListener(EventFilter filter, int capacity, OverflowPolicy policy, Consumer<QmpEvent> listener);

    /**
     * Subscribes to {@code event}, then runs {@code command}, then waits for the event: the event
     * cannot be missed even if it arrives before the reply. Completes with the event once both the
     * command succeeded and the event came; fails with the command's error, or with a
     * {@link CommandTimeoutException} if no such event arrives within {@code eventTimeout} of the
     * call.
     */
    CompletableFuture<QmpEvent> executeAndAwaitEventAsync(String command, Object arguments, EventFilter event,
                                                          Duration eventTimeout);

    /** Blocking {@link #executeAndAwaitEventAsync}. */
    default QmpEvent executeAndAwaitEvent(String command, Object arguments, EventFilter event, Duration eventTimeout) {
        return Blocking.await(executeAndAwaitEventAsync(command, arguments, event, eventTimeout));
    }

    // ---- introspection

    /** The schema ({@code query-qmp-schema}), read once on first use and kept. */
    CompletableFuture<QmpSchema> schemaAsync();

    /** Blocking {@link #schemaAsync()}. */
    default QmpSchema schema() {
        return Blocking.await(schemaAsync());
    }

    // ---- file descriptors (UNIX sockets only)

    /**
     * Runs a command with file descriptors attached to its own bytes (SCM_RIGHTS). Such commands
     * are serialized: one at a time per connection. The caller keeps ownership of the descriptors
     * and may close them once the future completed.
     */
    CompletableFuture<JsonNode> executeWithFdsAsync(String command, Object arguments, List<FileDescriptor> fds,
                                                    CommandOptions options);

    /** {@code getfd}: passes {@code fd} to QEMU under {@code fdname}. */
    default CompletableFuture<Void> getfdAsync(String fdname, FileDescriptor fd) {
        return executeWithFdsAsync("getfd", java.util.Map.of("fdname", fdname), List.of(fd), CommandOptions.defaults())
                .thenApply(r -> null);
    }

    /** Blocking {@link #getfdAsync}. */
    default void getfd(String fdname, FileDescriptor fd) {
        Blocking.await(getfdAsync(fdname, fd));
    }

    /** {@code closefd}: closes QEMU's copy of a descriptor passed with {@code getfd}. */
    default void closefd(String fdname) {
        execute("closefd", java.util.Map.of("fdname", fdname));
    }

    /**
     * {@code add-fd}: adds {@code fd} to an fd set (a new one when {@code fdsetId} is null), for
     * use as {@code /dev/fdset/N}.
     */
    default CompletableFuture<FdSetEntry> addFdAsync(FileDescriptor fd, Long fdsetId, String opaque) {
        java.util.Map<String, Object> args = new java.util.LinkedHashMap<>();
        if (fdsetId != null) {
            args.put("fdset-id", fdsetId);
        }
        if (opaque != null) {
            args.put("opaque", opaque);
        }
        return executeWithFdsAsync("add-fd", args, List.of(fd), CommandOptions.defaults())
                .thenApply(r -> new FdSetEntry(r.path("fdset-id").asLong(), r.path("fd").asInt()));
    }

    /** Blocking {@link #addFdAsync}. */
    default FdSetEntry addFd(FileDescriptor fd, Long fdsetId, String opaque) {
        return Blocking.await(addFdAsync(fd, fdsetId, opaque));
    }

    /** {@code remove-fd}: removes one descriptor ({@code fd} non-null) or the whole fd set. */
    default void removeFd(long fdsetId, Integer fd) {
        java.util.Map<String, Object> args = new java.util.LinkedHashMap<>();
        args.put("fdset-id", fdsetId);
        if (fd != null) {
            args.put("fd", fd);
        }
        execute("remove-fd", args);
    }

    // ---- closing

    /**
     * Graceful close: new commands are refused at once; the socket closes when the commands in
     * flight completed (or hit their deadlines). Subscriptions end with
     * {@link ConnectionClosedException} after their queued events.
     */
    CompletableFuture<Void> closeAsync();

    /** Immediate close: commands in flight fail now with {@link ConnectionClosedException}. */
    CompletableFuture<Void> abort();

    /** {@link #closeAsync()} and wait for it (does not wait when called on an I/O thread). */
    @Override
    void close();
}
