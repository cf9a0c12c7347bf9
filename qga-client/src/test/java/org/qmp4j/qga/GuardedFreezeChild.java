package org.qmp4j.qga;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.internal.ThawGuardian;

/**
 * A controller in a JVM of its own, for {@link ThawGuardianTest}: freezes the agent at {@code args[0]}
 * (a watchdog far away, so only the guardian can thaw after this process is killed), prints
 * {@code FROZEN <guardian pid>}, then obeys stdin: {@code THAW} thaws and prints {@code THAWED};
 * {@code EXIT} exits at once, with whatever is still frozen.
 */
public final class GuardedFreezeChild {
    private GuardedFreezeChild() {
    }

    public static void main(String[] args) throws Exception {
        GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(Path.of(args[0])))
                .syncTimeout(Duration.ofSeconds(2)).build());
        FreezeHandle frozen = ga.freeze(FreezeOptions.builder().maxDuration(Duration.ofMinutes(5)).build());
        System.out.println("FROZEN " + ThawGuardian.shared().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("THAW")) {
                frozen.close();
                System.out.println("THAWED");
                System.out.flush();
            } else if (line.equals("EXIT")) {
                Runtime.getRuntime().halt(0);
            }
        }
        Runtime.getRuntime().halt(0);
    }
}
