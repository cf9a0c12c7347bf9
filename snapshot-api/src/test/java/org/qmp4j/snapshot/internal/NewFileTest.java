package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NewFile}: created exclusively, never through a link, written by descriptor whatever the path becomes. */
class NewFileTest {
    @TempDir
    Path dir;

    @Test
    void createsAnOwnerOnlyFileAndKnowsItByInode() throws Exception {
        Path path = dir.resolve("a.qcow2");
        try (NewFile file = NewFile.create(path)) {
            assertThat(Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(Files.getPosixFilePermissions(path)).isEqualTo(OwnerOnlyFiles.OWNER_ONLY);
            assertThat(file.identity().isInPlace()).isTrue();
            assertThat(Files.isSameFile(file.descriptorPath(), path)).isTrue();
        }
        assertThat(Files.size(path)).isZero();
    }

    @Test
    void findsItsDescriptorAlsoThroughALinkedDirectoryAndAmongManyOthers() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path linked = Files.createSymbolicLink(dir.resolve("linked"), real);
        List<FileInputStream> others = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                others.add(new FileInputStream("/dev/null"));
            }
            // the kernel names the descriptor by the real directory: the quick pass finds nothing
            try (NewFile file = NewFile.create(linked.resolve("b.qcow2"))) {
                assertThat(Files.isSameFile(file.descriptorPath(), real.resolve("b.qcow2"))).isTrue();
                assertThat(file.identity().isInPlace()).isTrue();
            }
            try (NewFile file = NewFile.create(real.resolve("c.qcow2"))) {
                assertThat(Files.isSameFile(file.descriptorPath(), real.resolve("c.qcow2"))).isTrue();
            }
        } finally {
            for (FileInputStream o : others) {
                o.close();
            }
        }
    }

    @Test
    void findsItsDescriptorNearTheLastOneAndFarFromIt() throws Exception {
        List<FileInputStream> others = new ArrayList<>();
        try {
            for (int round = 0; round < 3; round++) {
                try (NewFile near = NewFile.create(dir.resolve("near" + round + ".qcow2"))) {
                    assertThat(Files.isSameFile(near.descriptorPath(), dir.resolve("near" + round + ".qcow2"))).isTrue();
                }
                // a hundred descriptors later the next one is far outside the window around the last
                for (int i = 0; i < 100; i++) {
                    others.add(new FileInputStream("/dev/null"));
                }
                try (NewFile far = NewFile.create(dir.resolve("far" + round + ".qcow2"))) {
                    assertThat(Files.isSameFile(far.descriptorPath(), dir.resolve("far" + round + ".qcow2"))).isTrue();
                    assertThat(far.identity().isInPlace()).isTrue();
                }
                // and freeing them leaves holes below it: the next goes into the lowest
                for (int i = 0; i < 50; i++) {
                    others.remove(others.size() - 1 - i).close();
                }
            }
        } finally {
            for (FileInputStream o : others) {
                o.close();
            }
        }
    }

    @Test
    void refusesAnExistingFileAndAnyLinkWithoutTouchingWhatItPointsTo() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path existing = Files.writeString(dir.resolve("existing"), "mine");
        Path toVictim = Files.createSymbolicLink(dir.resolve("to-victim"), victim);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("would-be-created"));

        for (Path p : List.of(existing, toVictim, dangling)) {
            assertThatThrownBy(() -> NewFile.create(p)).as(p.toString()).isInstanceOf(FileAlreadyExistsException.class);
        }
        assertThat(victim).hasContent("precious");
        assertThat(existing).hasContent("mine");
        assertThat(dir.resolve("would-be-created")).doesNotExist();
        assertThat(Files.isSymbolicLink(toVictim)).isTrue();
    }

    @Test
    void writesGoToTheCreatedFileAfterThePathIsSwappedForALink() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path path = dir.resolve("overlay");
        Path moved = dir.resolve("moved");
        try (NewFile file = NewFile.create(path)) {
            Files.move(path, moved);
            Files.createSymbolicLink(path, victim);
            assertThat(file.identity().isInPlace()).isFalse();
            assertThat(file.identity().isAt(moved)).isTrue();

            // through the descriptor, as QEMU gets it
            FileOutputStream out = new FileOutputStream(file.descriptor());
            out.write("through the fd;".getBytes(StandardCharsets.US_ASCII));
            out.flush(); // not closed: the descriptor belongs to the NewFile
            // through /proc/PID/fd/N, as qemu-img gets it, from another process
            Process p = new ProcessBuilder("sh", "-c", "printf 'by another process' >> \"$1\"", "sh",
                    file.descriptorPath().toString()).inheritIO().start();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
        assertThat(victim).hasContent("precious");
        assertThat(moved).hasContent("through the fd;by another process");
    }

    @Test
    void deletesOnlyWhileThePathStillNamesIt() throws Exception {
        Path path = dir.resolve("x");
        NewFile.Identity identity;
        try (NewFile file = NewFile.create(path)) {
            identity = file.identity();
        }
        Files.move(path, dir.resolve("aside")); // not deleted: its inode number stays taken
        Files.writeString(path, "someone else's, same name");
        assertThat(identity.deleteIfInPlace()).isFalse();
        assertThat(path).hasContent("someone else's, same name");

        Path other = dir.resolve("y");
        try (NewFile file = NewFile.create(other)) {
            identity = file.identity();
        }
        assertThat(identity.deleteIfInPlace()).isTrue();
        assertThat(other).doesNotExist();
    }
}
