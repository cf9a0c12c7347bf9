package org.qmp4j.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Finds and watches qmp4j's thaw guardian processes from a test. The guardian is not its
 * controller's child (a shell starts it in the background), so it is found by its command line:
 * a {@code java} process with the guardian's main class and the controller's pid as its last
 * argument. (The shell that launches it has the same arguments for a few milliseconds: taking its
 * pid would see "the guardian" end before it has begun.) A lazy guardian ({@code qmp4j.guardian.lazy},
 * the CLI's) waits as a shell named {@code qmp4j-guardian-watch} with the same command after its
 * name, and starts that JVM only to thaw: it counts as the guardian. A process counts as running
 * until it has exited, even if nobody has reaped it yet.
 */
public final class GuardianProcesses {
    private static final String MAIN = ".ThawGuardianMain";
    /** The {@code $0} of a lazy guardian's waiting shell ({@code ThawGuardian.LAZY_NAME}). */
    private static final String LAZY_NAME = "qmp4j-guardian-watch";

    private GuardianProcesses() {
    }

    /** The guardian of the controller {@code controllerPid}, waiting up to {@code within} for it to appear. */
    public static Optional<ProcessHandle> of(long controllerPid, Duration within) {
        AtomicReference<ProcessHandle> found = new AtomicReference<>();
        Await.until(() -> {
            ProcessHandle.allProcesses().filter(p -> isGuardianOf(p, controllerPid)).findFirst().ifPresent(found::set);
            return found.get() != null;
        }, within);
        return Optional.ofNullable(found.get());
    }

    /** Whether {@code pid} runs: it exists and is not a zombie. */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')'); // the name may hold spaces; the state follows it
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether {@code process} is the guardian of the controller {@code controllerPid}: its JVM, or
     * the shell a lazy guardian waits in.
     */
    public static boolean isGuardianOf(ProcessHandle process, long controllerPid) {
        ProcessHandle.Info info = process.info(); // each call reads /proc again
        boolean java = info.command().map(c -> c.endsWith("/java")).orElse(false);
        List<String> args = info.arguments().map(List::of).orElse(List.of());
        boolean lazyShell = args.size() > 2 && args.get(0).equals("-c") && args.get(2).equals(LAZY_NAME);
        return (java || lazyShell) && args.stream().anyMatch(a -> a.endsWith(MAIN))
                && args.get(args.size() - 1).equals(Long.toString(controllerPid));
    }
}
