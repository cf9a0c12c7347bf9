package org.qmp4j.snapshot;

import java.util.List;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.QemuProcess;

/** A throwaway QEMU with one QMP client on it; closing closes both, also after a failed start. */
final class Vm implements AutoCloseable {
    final QemuProcess qemu;
    final QmpClient qmp;

    private Vm(QemuProcess qemu, QmpClient qmp) {
        this.qemu = qemu;
        this.qmp = qmp;
    }

    /** QEMU with these arguments (after {@code -nodefaults -display none -qmp ...}). */
    static Vm start(String... args) {
        QemuProcess qemu = QemuProcess.start(List.of(args));
        try {
            return new Vm(qemu, QmpClient.connect(qemu.qmpSocket()));
        } catch (RuntimeException e) {
            qemu.close();
            throw e;
        }
    }

    /** A stopped q35 machine (no guest code runs: starts in milliseconds) plus {@code args}. */
    static Vm stoppedQ35(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "-machine";
        all[1] = "q35,accel=tcg";
        all[2] = "-S";
        System.arraycopy(args, 0, all, 3, args.length);
        return start(all);
    }

    LiveSnapshots snapshots() {
        return LiveSnapshots.of(qmp);
    }

    @Override
    public void close() {
        try {
            qmp.close();
        } finally {
            qemu.close();
        }
    }
}
