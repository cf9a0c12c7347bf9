package org.qmp4j.qga.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentOptions;

/**
 * The thaw guardian process (see {@link ThawGuardian}). Reads {@code ARM id budgetMillis endpoint}
 * and {@code DISARM id} lines from its controller; at end-of-file (the controller died, or ended
 * without disarming) it thaws every freeze still armed, each through a connection of its own,
 * opened as soon as the agent socket is free, until the agent confirms or the budget runs out.
 * It reports on stderr (its stdout is {@code /dev/null}). Terminal signals (Ctrl-C, a closed
 * terminal) are meant for the controller, not for it: the shell that starts it has them ignored,
 * and a JVM keeps a signal ignored at its start ignored.
 */
public final class ThawGuardianMain {
    private static final Duration WARM_UP_DELAY = Duration.ofSeconds(5);

    private ThawGuardianMain() {
    }

    public static void main(String[] args) throws Exception {
        String controller = args.length > 0 ? args[0] : "?";
        // Nothing is loaded and no thread starts until a rescue, or the delayed warm-up, needs it:
        // loading the client now would compete for the CPU with the controller's snapshot.
        LazyResources resources = new LazyResources();

        Map<String, Armed> armed = new LinkedHashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean warming = false;
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.split(" ", 4);
            if (words.length == 4 && words[0].equals("ARM")) {
                armed.put(words[1], new Armed(Endpoint.parse(words[3]), Duration.ofMillis(Long.parseLong(words[2]))));
            } else if (words.length == 2 && words[0].equals("DISARM")) {
                armed.remove(words[1]);
                if (!warming && armed.isEmpty()) {
                    // a controller that lives on gets a rescue that need not load classes first;
                    // one that is about to end (a CLI) is not slowed down by it
                    warming = true;
                    warmUpLater(resources);
                }
            }
        }
        long ended = System.nanoTime();
        if (armed.isEmpty()) {
            System.exit(0); // no graceful close of the I/O threads: nothing is in flight
        }
        report("controller pid " + controller + " ended with " + armed.size() + " freeze(s) armed: thawing");

        List<CompletableFuture<Boolean>> thaws = new ArrayList<>();
        for (Armed freeze : armed.values()) {
            thaws.add(thaw(freeze, resources.get(), ended));
        }
        boolean all = true;
        for (CompletableFuture<Boolean> thaw : thaws) {
            all &= thaw.join();
        }
        System.exit(all ? 0 : 1);
    }

    private record Armed(Endpoint agent, Duration budget) {
    }

    private static CompletableFuture<Boolean> thaw(Armed freeze, ClientResources resources, long ended) {
        GuestAgentOptions options = GuestAgentOptions.builder(freeze.agent()).resources(resources)
                .connectTimeout(Duration.ofSeconds(2)).syncTimeout(Duration.ofSeconds(2))
                .thawTimeout(Duration.ofSeconds(5)).thawGuardian(false).build();
        ActiveFreeze rescue = new ActiveFreeze(ThawChannel.reconnectingOnly(options, resources), freeze.budget(),
                h -> { });
        return rescue.thawAsync().handle((v, e) -> {
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended);
            if (e == null) {
                report("THAWED " + freeze.agent() + ": thaw confirmed " + ms + " ms after the controller ended");
                return true;
            }
            Optional<String> gone = VmGone.check(freeze.agent());
            if (gone.isPresent()) {
                report("VM ENDED " + freeze.agent() + ": " + gone.get() + ": its QEMU has exited, no guest is left"
                        + " frozen (" + ms + " ms after the controller ended)");
                return true;
            }
            report("GUEST MAY STILL BE FROZEN: " + freeze.agent() + ": " + Blocking.unwrap(e).getMessage()
                    + " (" + ms + " ms after the controller ended)");
            return false;
        });
    }

    /** The guardian's resources, made on first use. */
    private static final class LazyResources {
        private ClientResources resources;

        synchronized ClientResources get() {
            if (resources == null) {
                resources = ClientResources.create(1);
            }
            return resources;
        }
    }

    /** Warms up once the controller has gone on for a while without a freeze. */
    private static void warmUpLater(LazyResources resources) {
        Thread warm = new Thread(() -> {
            try {
                Thread.sleep(WARM_UP_DELAY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            warmUp(resources.get());
        }, "qmp4j-guardian-warm-up");
        warm.setDaemon(true);
        warm.start();
    }

    /** Loads the connect path now, so the thaw after a controller's death does not wait for it. */
    private static void warmUp(ClientResources resources) {
        Path nowhere = Path.of("/nonexistent", "qmp4j-guardian-" + ProcessHandle.current().pid());
        GuestAgentOptions options = GuestAgentOptions.builder(Endpoint.unix(nowhere)).resources(resources)
                .connectTimeout(Duration.ofSeconds(2)).thawGuardian(false).build();
        try {
            DefaultGuestAgentClient.connect(options).handle((c, e) -> null).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // only a warm-up
        }
    }

    private static void report(String message) {
        System.err.println("qmp4j thaw guardian: " + message);
        System.err.flush();
    }
}
