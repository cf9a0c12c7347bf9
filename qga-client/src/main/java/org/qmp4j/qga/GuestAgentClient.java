package org.qmp4j.qga;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.qga.internal.DefaultGuestAgentClient;
import org.qmp4j.qga.internal.ThawGuardian;
import org.qmp4j.qmp.CapabilityNotNegotiatedException;

/**
 * A connection to the QEMU guest agent ({@code qemu-ga}) in one guest.
 *
 * <p>{@link #connect(GuestAgentOptions)} returns after the channel is synchronised: a
 * {@code 0xFF} byte, then {@code guest-sync-delimited} with a random id, and everything before
 * its reply is discarded. The agent runs one command at a time, so the client sends them one at
 * a time; after a command times out, the next one is preceded by a fresh synchronisation, so a
 * late reply can never be taken for another command's. Nothing the guest sends can hang the
 * client: every command has a deadline and every message a size cap.
 *
 * <p>Errors: {@link org.qmp4j.core.CommandException} keeps the agent's class and desc;
 * {@link AgentCommandNotSupportedException} for commands the agent lacks or has disabled;
 * {@link GuestAgentAbsentException} when no agent answers. Thread-safe.
 */
public interface GuestAgentClient extends AutoCloseable {

    /** Connects and synchronises; fails with {@link GuestAgentAbsentException} if no agent answers in time. */
    static CompletableFuture<GuestAgentClient> connectAsync(GuestAgentOptions options) {
        return DefaultGuestAgentClient.connect(options);
    }

    /** Blocking {@link #connectAsync}. */
    static GuestAgentClient connect(GuestAgentOptions options) {
        return Blocking.await(connectAsync(options));
    }

    /** Connects to the agent socket at {@code socket} with default options. */
    static GuestAgentClient connect(Path socket) {
        return connect(GuestAgentOptions.unix(socket));
    }

    /**
     * Starts this process's thaw guardian now, if it does not run yet, without waiting for it. A
     * client with {@link GuestAgentOptions#thawGuardian()} starts it on connect anyway; a
     * short-lived process that will freeze soon calls this first, so that the guardian's own
     * start-up (a small JVM) is over before the freeze rather than competing with it for the CPU.
     */
    static void startThawGuardian() {
        ThawGuardian.shared().start();
    }

    /** The options this client was made with. */
    GuestAgentOptions options();

    /** The connection's state. */
    ConnectionState state();

    /**
     * Whether an agent answers now: the channel is open in the guest (when a QMP connection was
     * given) and a resynchronisation succeeds within the sync deadline. Never throws for absence.
     */
    CompletableFuture<Boolean> isPresentAsync();

    /** Blocking {@link #isPresentAsync()}. */
    default boolean isPresent() {
        return Blocking.await(isPresentAsync());
    }

    /**
     * {@link #isPresentAsync() Presence}, and then which of {@code needed} this guest's agent
     * refuses (its {@code guest-info}: disabled by an allow or block list, or unknown), by name.
     * Changes nothing in the guest; never throws for absence.
     */
    default CompletableFuture<AgentReadiness> readinessAsync(List<String> needed) {
        List<String> commands = List.copyOf(needed);
        return isPresentAsync().thenCompose(present -> present
                ? infoAsync().thenApply(info -> new AgentReadiness(true, info.unavailable(commands)))
                : CompletableFuture.completedFuture(new AgentReadiness(false, List.of())));
    }

    /** Blocking {@link #readinessAsync(List)}. */
    default AgentReadiness readiness(List<String> needed) {
        return Blocking.await(readinessAsync(needed));
    }

    /**
     * Runs any agent command, untyped; {@code null} arguments for none. {@code options} may give it
     * a deadline of its own (otherwise {@link GuestAgentOptions#commandTimeout()}); the agent has no
     * out-of-band execution, so {@code oob} fails with {@link CapabilityNotNegotiatedException}.
     */
    CompletableFuture<JsonNode> executeAsync(String command, Object arguments, CommandOptions options);

    /** {@link #executeAsync(String, Object, CommandOptions)} with the default deadline. */
    default CompletableFuture<JsonNode> executeAsync(String command, Object arguments) {
        return executeAsync(command, arguments, CommandOptions.defaults());
    }

    /** Blocking {@link #executeAsync(String, Object)}. */
    default JsonNode execute(String command, Object arguments) {
        return Blocking.await(executeAsync(command, arguments));
    }

    /** Blocking {@link #executeAsync(String, Object, CommandOptions)}. */
    default JsonNode execute(String command, Object arguments, CommandOptions options) {
        return Blocking.await(executeAsync(command, arguments, options));
    }

    /**
     * Runs any agent command and decodes its {@code return} value as {@code type} (leniently:
     * unknown fields are ignored); a value that does not fit fails with a {@link ProtocolException}.
     */
    <T> CompletableFuture<T> executeAsync(String command, Object arguments, Class<T> type, CommandOptions options);

    /** {@link #executeAsync(String, Object, Class, CommandOptions)} with the default deadline. */
    default <T> CompletableFuture<T> executeAsync(String command, Object arguments, Class<T> type) {
        return executeAsync(command, arguments, type, CommandOptions.defaults());
    }

    /** Blocking {@link #executeAsync(String, Object, Class)}. */
    default <T> T execute(String command, Object arguments, Class<T> type) {
        return Blocking.await(executeAsync(command, arguments, type));
    }

    /** Blocking {@link #executeAsync(String, Object, Class, CommandOptions)}. */
    default <T> T execute(String command, Object arguments, Class<T> type, CommandOptions options) {
        return Blocking.await(executeAsync(command, arguments, type, options));
    }

    /** {@code guest-ping} (3 s deadline by default). */
    CompletableFuture<Void> pingAsync();

    default void ping() {
        Blocking.await(pingAsync());
    }

    /** {@code guest-info}. */
    CompletableFuture<AgentInfo> infoAsync();

    default AgentInfo info() {
        return Blocking.await(infoAsync());
    }

    /** {@code guest-get-fsinfo}. */
    CompletableFuture<List<FsInfo>> fsInfoAsync();

    default List<FsInfo> fsInfo() {
        return Blocking.await(fsInfoAsync());
    }

    /** {@code guest-fsfreeze-status}. */
    CompletableFuture<FreezeStatus> fsfreezeStatusAsync();

    default FreezeStatus fsfreezeStatus() {
        return Blocking.await(fsfreezeStatusAsync());
    }

    /**
     * Freezes the guest's file systems and returns a handle whose {@code close()} thaws them.
     * Refuses an already frozen guest. The freeze itself may take up to
     * {@link FreezeOptions#freezeTimeout()}; from its reply on, a watchdog thaws at
     * {@link FreezeOptions#maxDuration()} whatever happens. A freeze that failed or whose reply
     * timed out is thawed, and the thaw confirmed within {@link FreezeOptions#thawBudget()}, before
     * the failure is reported.
     *
     * @throws FreezeException if the guest could not be frozen (it is thawed when this is thrown)
     * @throws ThawFailedException if, after such a failure, the guest could not be confirmed thawed
     */
    CompletableFuture<FreezeHandle> freezeAsync(FreezeOptions options);

    default FreezeHandle freeze(FreezeOptions options) {
        return Blocking.await(freezeAsync(options));
    }

    /**
     * {@code guest-fsfreeze-thaw}, raw: returns the number of file systems thawed. Prefer
     * {@link FreezeHandle#close()}, which retries and confirms.
     */
    CompletableFuture<Integer> fsfreezeThawAsync();

    default int fsfreezeThaw() {
        return Blocking.await(fsfreezeThawAsync());
    }

    /** Runs a program in the guest and waits for its exit, polling {@code guest-exec-status}. */
    CompletableFuture<ExecResult> execAsync(ExecRequest request);

    default ExecResult exec(ExecRequest request) {
        return Blocking.await(execAsync(request));
    }

    /**
     * {@code guest-shutdown}, which never replies: completes when the agent's connection ends
     * (EOF) or, with a QMP connection, on the VM's {@code SHUTDOWN}/{@code RESET} event or the
     * agent port closing; fails with a timeout if none of these happens within the command
     * deadline.
     */
    CompletableFuture<Void> shutdownAsync(ShutdownMode mode);

    default void shutdown(ShutdownMode mode) {
        Blocking.await(shutdownAsync(mode));
    }

    /** Graceful close: waits for the command in flight, then closes the socket. */
    CompletableFuture<Void> closeAsync();

    /** Closes and waits (never on an I/O thread). A frozen guest is NOT thawed by this: close the handle. */
    @Override
    void close();
}
