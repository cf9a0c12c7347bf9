package org.qmp4j.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of several VMs at one point in time: one {@link SnapshotRequest} whose options (name,
 * overlay directory, quiesce policy, mountpoints, maximum freeze, freeze timeout) apply to every
 * VM, the VMs themselves, and the order in which their guests are frozen. Immutable; build with
 * {@link #builder(SnapshotRequest)}.
 */
public final class GroupSnapshotRequest {
    private final SnapshotRequest options;
    private final List<GroupMember> vms;
    private final FreezeOrder freezeOrder;

    private GroupSnapshotRequest(Builder b) {
        this.options = b.options;
        this.vms = List.copyOf(b.vms);
        this.freezeOrder = b.freezeOrder;
    }

    /**
     * A group snapshot with {@code options} for every VM; a VM's own disks and mountpoints
     * ({@link GroupMember}) take the place of the options' ones. A snapshot with memory cannot
     * be part of a group (it pauses the VM).
     */
    public static Builder builder(SnapshotRequest options) {
        return new Builder(options);
    }

    /** A group snapshot called {@code name}, with the default options. */
    public static Builder builder(String name) {
        return new Builder(SnapshotRequest.builder(name).build());
    }

    public String name() {
        return options.name();
    }

    /** The options every VM's part is taken with. */
    public SnapshotRequest options() {
        return options;
    }

    /** The VMs, in the order given (the freeze order under {@link FreezeOrder#IN_ORDER}). */
    public List<GroupMember> vms() {
        return vms;
    }

    public FreezeOrder freezeOrder() {
        return freezeOrder;
    }

    /** What this request asks of one of its VMs, as a single snapshot's request. */
    public SnapshotRequest requestFor(GroupMember vm) {
        SnapshotRequest.Builder b = SnapshotRequest.builder(options.name())
                .disks(vm.disks().isEmpty() ? options.disks() : vm.disks()).quiesce(options.quiesce())
                .mountpoints(vm.mountpoints().isEmpty() ? options.mountpoints() : vm.mountpoints())
                .maxFreeze(options.maxFreeze()).freezeTimeout(options.freezeTimeout());
        options.overlayDirectory().ifPresent(b::overlayDirectory);
        return b.build();
    }

    /** Builder of {@link GroupSnapshotRequest}. */
    public static final class Builder {
        private final SnapshotRequest options;
        private final List<GroupMember> vms = new ArrayList<>();
        private FreezeOrder freezeOrder = FreezeOrder.PARALLEL;

        private Builder(SnapshotRequest options) {
            this.options = Objects.requireNonNull(options, "options");
        }

        /** Adds a VM. */
        public Builder vm(GroupMember vm) {
            this.vms.add(Objects.requireNonNull(vm, "vm"));
            return this;
        }

        /** Default {@link FreezeOrder#PARALLEL}. */
        public Builder freezeOrder(FreezeOrder order) {
            this.freezeOrder = Objects.requireNonNull(order, "order");
            return this;
        }

        /** @throws IllegalArgumentException with no VM, a VM given twice, or a memory file in the options */
        public GroupSnapshotRequest build() {
            if (vms.isEmpty()) {
                throw new IllegalArgumentException("a group snapshot needs at least one VM");
            }
            if (options.memoryFile().isPresent()) {
                throw new IllegalArgumentException("a snapshot with memory pauses its VM: it cannot be part of a group");
            }
            for (int i = 0; i < vms.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (vms.get(i).qmp() == vms.get(j).qmp()
                            || vms.get(i).qmp().options().endpoint().equals(vms.get(j).qmp().options().endpoint())) {
                        throw new IllegalArgumentException("VM " + vms.get(i).qmp().options().endpoint()
                                + " is in the group twice");
                    }
                }
            }
            return new GroupSnapshotRequest(this);
        }
    }
}
