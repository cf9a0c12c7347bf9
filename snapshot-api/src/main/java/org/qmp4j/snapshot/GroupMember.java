package org.qmp4j.snapshot;

import java.util.List;
import java.util.Objects;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;

/**
 * One VM of a group snapshot: its QMP connection, its guest agent (or none), and which of its
 * disks and mountpoints to take. Immutable; the connections are the caller's and stay open.
 */
public final class GroupMember {
    private final QmpClient qmp;
    private final GuestAgentClient agent;
    private final List<String> disks;
    private final List<String> mountpoints;

    private GroupMember(QmpClient qmp, GuestAgentClient agent, List<String> disks, List<String> mountpoints) {
        this.qmp = Objects.requireNonNull(qmp, "qmp");
        this.agent = agent;
        this.disks = List.copyOf(disks);
        this.mountpoints = List.copyOf(mountpoints);
    }

    /** Every writable disk of the VM behind {@code qmp}, quiesced through {@code agent} ({@code null}: no agent). */
    public static GroupMember of(QmpClient qmp, GuestAgentClient agent) {
        return new GroupMember(qmp, agent, List.of(), List.of());
    }

    /** The same VM, with only these disks (device name, qdev id or node name). */
    public GroupMember withDisks(List<String> disks) {
        return new GroupMember(qmp, agent, disks, mountpoints);
    }

    /** The same VM, freezing only these mountpoints (instead of the group's). */
    public GroupMember withMountpoints(List<String> mountpoints) {
        return new GroupMember(qmp, agent, disks, mountpoints);
    }

    public QmpClient qmp() {
        return qmp;
    }

    /** The guest agent, or {@code null} when the VM has none. */
    public GuestAgentClient agent() {
        return agent;
    }

    /** Disks to take; empty means every writable disk with an image. */
    public List<String> disks() {
        return disks;
    }

    /** Mountpoints to freeze; empty means the group's (which, empty, means all). */
    public List<String> mountpoints() {
        return mountpoints;
    }
}
