package org.qmp4j.core.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commands of one connection that wait for a reply, by id. Thread-safe: commands written by
 * the I/O thread and commands a blocking caller writes itself ({@link AfUnixChannel#writeDirect}) share it, and
 * whoever removes a command first (its reply, its deadline, the close) completes it.
 */
final class InFlightRegistry {
    private final ConcurrentHashMap<Long, OutboundCommand> byId = new ConcurrentHashMap<>();
    private final AtomicLong nextId;

    /** @param firstId the first id to hand out; see {@link InFlightHandler} */
    InFlightRegistry(long firstId) {
        this.nextId = new AtomicLong(firstId);
    }

    /** Gives {@code command} the next id and records it; returns the id. */
    long register(OutboundCommand command) {
        command.assignId(nextId());
        add(command);
        return command.id();
    }

    /** An id no other command gets, for a command recorded later with {@link #add}. */
    long nextId() {
        return nextId.getAndIncrement();
    }

    /** Records a command that already has its id. */
    void add(OutboundCommand command) {
        byId.put(command.id(), command);
    }

    /** Removes and returns the command with this id, or {@code null} if none waits under it. */
    OutboundCommand remove(long id) {
        return byId.remove(id);
    }

    /** Removes and returns the command waiting longest (the lowest id), or {@code null} if none waits. */
    OutboundCommand removeOldest() {
        while (!byId.isEmpty()) {
            long oldest = byId.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
            OutboundCommand command = byId.remove(oldest);
            if (command != null) {
                return command;
            }
        }
        return null;
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    int size() {
        return byId.size();
    }

    /** Removes and returns every waiting command. */
    List<OutboundCommand> drain() {
        List<OutboundCommand> drained = new ArrayList<>(byId.size());
        for (Long id : new ArrayList<>(byId.keySet())) {
            OutboundCommand command = byId.remove(id);
            if (command != null) {
                drained.add(command);
            }
        }
        return drained;
    }
}
