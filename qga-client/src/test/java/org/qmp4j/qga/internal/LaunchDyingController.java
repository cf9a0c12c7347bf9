package org.qmp4j.qga.internal;

/**
 * A controller in a JVM of its own, for {@link GuardianLaunchDeathTest}: starts a thaw guardian
 * and, when the launch reaches the step {@code args[1]} (a {@link ThawGuardian.LaunchStep}, or
 * {@code READY} once it is started), prints {@code AT <step>} and then either waits there to be
 * killed ({@code args[0]} = {@code wait}) or exits normally ({@code exit}), as a short command
 * does that ends before the guardian it started is up.
 */
public final class LaunchDyingController {
    private LaunchDyingController() {
    }

    public static void main(String[] args) throws Exception {
        boolean exit = args[0].equals("exit");
        String step = args[1];
        ThawGuardian guardian = new ThawGuardian((reached, fifo) -> {
            if (reached.name().equals(step)) {
                stop(exit, step);
            }
        });
        guardian.start().join();
        if (step.equals("READY")) {
            stop(exit, step);
        }
        System.out.println("NEVER REACHED " + step);
        System.exit(2);
    }

    private static void stop(boolean exit, String step) {
        System.out.println("AT " + step);
        System.out.flush();
        if (exit) {
            System.exit(0);
        }
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Runtime.getRuntime().halt(3);
        }
    }
}
