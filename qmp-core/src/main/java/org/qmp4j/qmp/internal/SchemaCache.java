package org.qmp4j.qmp.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.qmp4j.qmp.QemuVersion;
import org.qmp4j.qmp.QmpSchema;

/**
 * The QMP schemas of the QEMU binaries that clients of one {@code ClientResources} talk to: read
 * once per binary, not per connection ({@code query-qmp-schema} is over 200 KiB, and its tree
 * several MiB). A binary is known by the version and package of its greeting and by the set of
 * its commands ({@code query-commands}, 6 KiB): two builds of one version that differ in what
 * they were configured with differ there. A schema is handed out only if its own commands are
 * exactly that set; otherwise the connection reads its own.
 */
final class SchemaCache {
    /** More binaries than this on one host is unusual; beyond it, start over rather than grow. */
    private static final int MAX_BINARIES = 64;

    /**
     * What identifies a binary.
     *
     * @param version the greeting's version and package
     * @param commands its commands
     */
    record Key(QemuVersion version, Set<String> commands) {
        Key {
            commands = Set.copyOf(commands);
        }
    }

    private final Map<Key, CompletableFuture<QmpSchema>> schemas = new ConcurrentHashMap<>();

    /** The schema of {@code key}'s binary: the cached one, or what {@code read} gives (once for all waiting). */
    CompletableFuture<QmpSchema> schema(Key key, Supplier<CompletableFuture<QmpSchema>> read) {
        if (schemas.size() >= MAX_BINARIES && !schemas.containsKey(key)) {
            schemas.clear();
        }
        CompletableFuture<QmpSchema> schema = schemas.computeIfAbsent(key, k -> read.get());
        return schema.handle((s, e) -> {
            if (e != null) {
                schemas.remove(key, schema); // a failed read is not kept: the next connection tries again
                return read.get();
            }
            return s.commands().equals(key.commands()) ? CompletableFuture.completedFuture(s) : read.get();
        }).thenCompose(f -> f);
    }

    /** How many binaries' schemas are held (for tests). */
    int size() {
        return schemas.size();
    }
}
