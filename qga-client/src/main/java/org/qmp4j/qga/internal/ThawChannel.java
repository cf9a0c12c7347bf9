package org.qmp4j.qga.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentAbsentException;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;

/**
 * The way a thaw reaches the agent: the freezing client's own connection while it lives, then a
 * fresh connection to the same socket, opened again whenever it is lost (the agent socket takes
 * one client at a time, so it is free once the old connection is gone). The guardian process
 * uses it with no own connection at all.
 */
final class ThawChannel implements ActiveFreeze.ThawOps {
    private final Supplier<CompletableFuture<Integer>> ownThaw;
    private final Supplier<CompletableFuture<FreezeStatus>> ownStatus;
    private final GuestAgentOptions options;
    private final ClientResources timer;
    private volatile boolean ownLost;
    private CompletableFuture<GuestAgentClient> rescue; // guarded by this
    // Resources of the rescue connections when the caller shares none: a client's own resources
    // end with its connection, and so would the timer of the thaw's retries.
    private ClientResources rescueResources; // guarded by this

    /** Thaws through the client's own connection first ({@code ownThaw}, {@code ownStatus}). */
    ThawChannel(Supplier<CompletableFuture<Integer>> ownThaw, Supplier<CompletableFuture<FreezeStatus>> ownStatus,
                GuestAgentOptions options, ClientResources timer) {
        this.ownThaw = ownThaw;
        this.ownStatus = ownStatus;
        this.options = options;
        this.timer = timer;
        this.ownLost = ownThaw == null;
    }

    /** Thaws through connections of its own only (the guardian's case). */
    static ThawChannel reconnectingOnly(GuestAgentOptions options, ClientResources timer) {
        return new ThawChannel(null, null, options, timer);
    }

    /** The rescue connection never freezes, so it needs no guardian, and it must not wait for one. */
    private GuestAgentOptions rescueOptions() {
        GuestAgentOptions.Builder rescueOptions = options.toBuilder().thawGuardian(false).syncOnConnect(true);
        if (options.resources().isEmpty()) {
            rescueOptions.resources(rescueResources());
        }
        return rescueOptions.build();
    }

    private synchronized ClientResources rescueResources() {
        if (rescueResources == null) {
            rescueResources = ClientResources.create(1);
        }
        return rescueResources;
    }

    @Override
    public CompletableFuture<Integer> thaw() {
        return via(ownThaw, GuestAgentClient::fsfreezeThawAsync);
    }

    @Override
    public CompletableFuture<FreezeStatus> status() {
        return via(ownStatus, GuestAgentClient::fsfreezeStatusAsync);
    }

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
        if (!ownLost || options.resources().isPresent()) {
            return timer.schedule(task, delay);
        }
        return rescueResources().schedule(task, delay);
    }

    /**
     * A lost connection is opened again; only a socket that nobody listens on ends the thaw: the
     * VM (or its agent channel) is gone, and with it whatever was frozen.
     */
    @Override
    public boolean worthRetrying(Throwable failure) {
        return !(failure instanceof ConnectionFailedException) || failure instanceof GuestAgentAbsentException;
    }

    /** Closes the rescue connection, if one was opened. */
    @Override
    public void release() {
        CompletableFuture<GuestAgentClient> open;
        ClientResources resources;
        synchronized (this) {
            open = rescue;
            rescue = null;
            resources = rescueResources;
            rescueResources = null;
        }
        CompletableFuture<Void> closed = open == null ? CompletableFuture.completedFuture(null)
                : open.thenCompose(GuestAgentClient::closeAsync).exceptionally(e -> null);
        if (resources != null) {
            closed.whenComplete((v, e) -> resources.closeAsync());
        }
    }

    private <T> CompletableFuture<T> via(Supplier<CompletableFuture<T>> own,
                                         Function<GuestAgentClient, CompletableFuture<T>> onRescue) {
        if (!ownLost) {
            return own.get().whenComplete((v, e) -> {
                if (e != null && Blocking.unwrap(e) instanceof ConnectionClosedException) {
                    ownLost = true;
                }
            });
        }
        CompletableFuture<GuestAgentClient> client = rescueClient();
        return client.thenCompose(onRescue).whenComplete((v, e) -> {
            if (e != null && Blocking.unwrap(e) instanceof ConnectionClosedException) {
                dropRescue(client);
            }
        });
    }

    private synchronized CompletableFuture<GuestAgentClient> rescueClient() {
        if (rescue == null || rescue.isCompletedExceptionally()) {
            rescue = DefaultGuestAgentClient.connect(rescueOptions());
        }
        return rescue;
    }

    private void dropRescue(CompletableFuture<GuestAgentClient> lost) {
        synchronized (this) {
            if (rescue != lost) {
                return;
            }
            rescue = null;
        }
        lost.thenAccept(GuestAgentClient::closeAsync);
    }
}
