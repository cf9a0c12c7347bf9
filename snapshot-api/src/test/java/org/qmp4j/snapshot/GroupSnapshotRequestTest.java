package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.FakeQmpPeer;

/** What a group request accepts, and what each VM's part is asked. */
class GroupSnapshotRequestTest {
    @Test
    void eachVmGetsTheGroupsOptionsWithItsOwnDisksAndMountpoints() {
        try (FakeQmpPeer a = FakeQmpPeer.start(); FakeQmpPeer b = FakeQmpPeer.start();
             QmpClient qa = QmpClient.connect(a.socket()); QmpClient qb = QmpClient.connect(b.socket())) {
            SnapshotRequest options = SnapshotRequest.builder("n1").quiesce(QuiescePolicy.REQUIRED).disk("vd0")
                    .mountpoint("/").overlayDirectory(Path.of("/ov")).maxFreeze(Duration.ofSeconds(3))
                    .freezeTimeout(Duration.ofSeconds(7)).build();
            GroupMember plain = GroupMember.of(qa, null);
            GroupMember own = GroupMember.of(qb, null).withDisks(List.of("vd1")).withMountpoints(List.of("/data"));
            GroupSnapshotRequest group = GroupSnapshotRequest.builder(options).vm(plain).vm(own)
                    .freezeOrder(FreezeOrder.IN_ORDER).build();

            assertThat(group.name()).isEqualTo("n1");
            assertThat(group.freezeOrder()).isEqualTo(FreezeOrder.IN_ORDER);
            SnapshotRequest first = group.requestFor(plain);
            SnapshotRequest second = group.requestFor(own);
            assertThat(first.disks()).containsExactly("vd0");
            assertThat(first.mountpoints()).containsExactly("/");
            assertThat(second.disks()).containsExactly("vd1");
            assertThat(second.mountpoints()).containsExactly("/data");
            for (SnapshotRequest r : List.of(first, second)) {
                assertThat(r.name()).isEqualTo("n1");
                assertThat(r.quiesce()).isEqualTo(QuiescePolicy.REQUIRED);
                assertThat(r.overlayDirectory()).contains(Path.of("/ov"));
                assertThat(r.maxFreeze()).isEqualTo(Duration.ofSeconds(3));
                assertThat(r.freezeTimeout()).isEqualTo(Duration.ofSeconds(7));
                assertThat(r.memoryFile()).isEmpty();
            }
        }
    }

    @Test
    void refusesNoVmTheSameVmTwiceAndMemory() {
        try (FakeQmpPeer a = FakeQmpPeer.start(); QmpClient qa = QmpClient.connect(a.socket())) {
            assertThatThrownBy(() -> GroupSnapshotRequest.builder("n").build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one VM");
            assertThatThrownBy(() -> GroupSnapshotRequest.builder("n").vm(GroupMember.of(qa, null))
                    .vm(GroupMember.of(qa, null)).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in the group twice");
            assertThatThrownBy(() -> GroupSnapshotRequest.builder(SnapshotRequest.builder("n")
                    .memoryFile(Path.of("/m")).build()).vm(GroupMember.of(qa, null)).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memory");
        }
    }
}
