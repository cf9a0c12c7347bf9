package org.qmp4j.qga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.qga.FreezeException;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeOptions;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a client's freeze: it alone decides when the guest is thawed, and every thaw
 * goes through its {@link ActiveFreeze} — the watchdog at the maximum duration, the handle's
 * {@code close()}, the thaw after a freeze that failed or got no reply in time (its state is then
 * unknown: assume frozen), and the thaw when the client closes. Callers such as the snapshot flow
 * only ever ask the handle. At most one freeze per client at a time.
 */
final class FreezeOwner {
    private static final Logger LOG = LoggerFactory.getLogger(FreezeOwner.class);

    private final AgentCommands agent;
    private final Supplier<CompletableFuture<FreezeStatus>> status;
    private final Supplier<CompletableFuture<Integer>> thaw;
    private final GuestAgentOptions options;
    private final ClientResources timer;
    private final ThawGuardian guardian;
    private final AtomicReference<ActiveFreeze> active = new AtomicReference<>();

    /** {@code guardian} may be null: freezes are then guarded by this process's watchdog only. */
    FreezeOwner(AgentCommands agent, Supplier<CompletableFuture<FreezeStatus>> status,
                Supplier<CompletableFuture<Integer>> thaw, GuestAgentOptions options, ClientResources timer,
                ThawGuardian guardian) {
        this.agent = agent;
        this.status = status;
        this.thaw = thaw;
        this.options = options;
        this.timer = timer;
        this.guardian = guardian;
    }

    /**
     * Checks the guest is thawed, arms the guardian and freezes; the watchdog is armed when the
     * freeze replies. A freeze that fails or gets no reply within its deadline (its state is then
     * unknown: it may still complete) is thawed, and confirmed, before the failure is reported.
     * The guardian is disarmed only by a confirmed thaw.
     */
    CompletableFuture<FreezeHandle> freeze(FreezeOptions freeze) {
        AtomicReference<ThawGuardian.Arming> arming = new AtomicReference<>();
        ActiveFreeze handle = new ActiveFreeze(new ThawChannel(thaw, status, options, timer), freeze.thawBudget(),
                h -> {
                    active.compareAndSet(h, null);
                    ThawGuardian.Arming armed = arming.getAndSet(null);
                    if (armed != null) {
                        armed.disarm();
                    }
                });
        if (!active.compareAndSet(null, handle)) {
            return CompletableFuture.failedFuture(new FreezeException(
                    "this client already holds a freeze of the guest: close its handle first", null));
        }
        return guardianReady().thenCompose(v -> status.get()).thenCompose(now -> {
            if (now == FreezeStatus.FROZEN) {
                throw new FreezeException("the guest is already frozen (by another client?): "
                        + "refusing to freeze it again; thaw it first", null);
            }
            if (guardian != null) {
                arming.set(guardian.arm(options.endpoint(), freeze.thawBudget()));
            }
            handle.freezeSent();
            CompletableFuture<JsonNode> reply = freeze.mountpoints().isEmpty()
                    ? agent.submit("guest-fsfreeze-freeze", null, freeze.freezeTimeout())
                    : agent.submit("guest-fsfreeze-freeze-list", Map.of("mountpoints", freeze.mountpoints()),
                            freeze.freezeTimeout());
            return reply.handle((count, error) -> {
                if (error == null) {
                    int frozen;
                    try {
                        frozen = AgentReplies.integer("guest-fsfreeze-freeze", "the count of frozen file systems", count);
                    } catch (RuntimeException e) {
                        return thawAfterFailedFreeze(handle, e); // frozen or not, it answered: thaw
                    }
                    handle.frozen(frozen, freeze.maxDuration());
                    return CompletableFuture.<FreezeHandle>completedFuture(handle);
                }
                return thawAfterFailedFreeze(handle, Blocking.unwrap(error));
            }).thenCompose(f -> f);
        }).whenComplete((h, e) -> {
            if (e != null) {
                active.compareAndSet(handle, null);
            }
        });
    }

    /** Starts the guardian early (the first freeze then need not wait for it). */
    void prepare() {
        if (guardian != null) {
            guardian.start();
        }
    }

    private CompletableFuture<Void> guardianReady() {
        if (guardian == null) {
            return CompletableFuture.completedFuture(null);
        }
        return guardian.start().handle((pid, e) -> {
            if (e != null) {
                throw new FreezeException("the thaw guardian is not running: " + Blocking.unwrap(e).getMessage()
                        + " (no freeze without it; GuestAgentOptions.thawGuardian(false) turns it off)", e);
            }
            return null;
        });
    }

    /**
     * An error reply means the agent thawed what it froze; a timeout leaves the state unknown.
     * Either way: thaw and confirm, then report the freeze failure.
     */
    private CompletableFuture<FreezeHandle> thawAfterFailedFreeze(ActiveFreeze handle, Throwable cause) {
        String what = cause instanceof CommandException ? "the agent refused to freeze"
                : cause instanceof CommandTimeoutException ? "the freeze got no reply in time (state unknown)"
                : "the freeze failed";
        return handle.thawAsync().handle((v, thawError) -> {
            if (thawError != null) {
                throw (RuntimeException) Blocking.unwrap(thawError); // ThawFailedException: louder than the freeze
            }
            throw new FreezeException(what + ": " + cause.getMessage() + "; the guest was thawed again", cause);
        });
    }

    /** Thaws a freeze still held, before the client closes; a thaw that fails is logged loudly. */
    CompletableFuture<Void> thawBeforeClose() {
        ActiveFreeze freeze = active.get();
        if (freeze == null) {
            return CompletableFuture.completedFuture(null);
        }
        return freeze.thawAsync().exceptionally(e -> {
            LOG.error("closing the agent client with a freeze it could not thaw", e);
            return null;
        });
    }
}
