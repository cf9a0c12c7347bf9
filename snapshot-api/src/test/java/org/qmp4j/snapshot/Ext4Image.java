package org.qmp4j.snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.qmp4j.testkit.HostCommand;

/**
 * Checks a disk image's ext4 file system from the outside, the way a snapshot's consistency is
 * judged: copy it to raw (reading through its backing chain, even while a VM has it open), then
 * {@code dumpe2fs -h} for the journal's {@code needs_recovery} flag and {@code e2fsck -fn}.
 *
 * @param needsRecovery whether the journal must be replayed before the file system is consistent
 * @param fsckClean whether {@code e2fsck -fn} found nothing to fix
 * @param fsckOutput what e2fsck said
 */
record Ext4Image(boolean needsRecovery, boolean fsckClean, String fsckOutput) {

    /** A clean snapshot: no journal recovery needed and nothing for fsck to fix. */
    boolean clean() {
        return !needsRecovery && fsckClean;
    }

    static Ext4Image check(Path image, Path workDir) throws Exception {
        Path raw = Files.createTempFile(workDir, "check-", ".raw");
        try {
            HostCommand.run(Duration.ofSeconds(120), "qemu-img", "convert", "-U", "-O", "raw",
                    image.toString(), raw.toString());
            String header = HostCommand.run(Duration.ofSeconds(60), "dumpe2fs", "-h", raw.toString());
            boolean needsRecovery = header.lines()
                    .anyMatch(l -> l.startsWith("Filesystem features:") && l.contains("needs_recovery"));
            Process fsck = new ProcessBuilder("e2fsck", "-fn", raw.toString()).redirectErrorStream(true).start();
            String out = new String(fsck.getInputStream().readAllBytes());
            boolean clean = fsck.waitFor() == 0;
            return new Ext4Image(needsRecovery, clean, out);
        } finally {
            Files.deleteIfExists(raw);
        }
    }
}
