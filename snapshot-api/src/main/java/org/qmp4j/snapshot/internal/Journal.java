package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.transport.Json;
import org.qmp4j.snapshot.JournalException;

/**
 * The durable record of what a snapshot, merge or memory snapshot of one VM is doing, so that
 * {@code recover} can finish or undo it after the controller died at any instruction. One file per
 * VM (named from its QMP endpoint) in the state directory; one JSON object per line, each line
 * forced to disk before the step it announces is taken. An operation's first line holds its whole
 * plan (every node name and file it may create); its last line says how it ended. A record
 * without an end is unfinished. The file is locked while an operation runs, so two controllers
 * cannot work on one VM at once, and the lock goes with a dead controller. Once every record is
 * finished the file is emptied (not removed: a process that opened it just then would lock a file
 * nobody else sees). Its reads and writes are not interruptible (a {@code FileChannel} would be
 * closed, and its lock lost, by an interrupt in the middle of a write): an interrupted operation
 * still records its undo.
 */
public final class Journal implements AutoCloseable {
    /** Fields of a journal line that a step's fields must not overwrite. */
    private static final List<String> RESERVED = List.of("op", "id", "step", "end");
    private final Path file;
    private final RandomAccessFile io;
    private final FileLock lock;
    /**
     * The operation this handle began last; {@code null} until then. {@link #begin} found nothing
     * else unfinished on record, so once this one is finished the whole journal is.
     */
    private Operation begunHere;

    private Journal(Path file, RandomAccessFile io, FileLock lock) {
        this.file = file;
        this.io = io;
        this.lock = lock;
    }

    /** The journal file of the VM at {@code vm} (its QMP endpoint) in {@code stateDirectory}. */
    public static Path fileOf(Path stateDirectory, String vm) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(vm.getBytes(StandardCharsets.UTF_8));
            return stateDirectory.resolve("vm-" + HexFormat.of().formatHex(hash, 0, 10) + ".journal");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens and locks the journal of {@code vm}.
     *
     * @throws JournalException if another process works on this VM now, or the directory is unusable
     */
    public static Journal open(Path stateDirectory, String vm) {
        Path file = fileOf(stateDirectory, vm);
        try {
            if (!Files.isDirectory(stateDirectory)) {
                Files.createDirectories(stateDirectory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.isSymbolicLink(file)) {
                throw new JournalException("journal " + file + " is a symbolic link: refusing to use it");
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } catch (FileAlreadyExistsException raced) {
                    // another process made it just now: use it
                }
            }
            RandomAccessFile io = new RandomAccessFile(file.toFile(), "rw");
            FileLock lock;
            try {
                lock = io.getChannel().tryLock(); // the channel is used for the lock only
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it: another operation here
            } catch (IOException | RuntimeException e) {
                io.close();
                throw e;
            }
            if (lock == null) {
                io.close();
                throw new JournalException("another qmp4j operation on " + vm + " is in progress (journal " + file
                        + " is locked)");
            }
            return new Journal(file, io, lock);
        } catch (IOException e) {
            throw new JournalException("cannot open the journal " + file + ": " + e, e);
        }
    }

    /**
     * Opens and locks the journal of {@code vm} for a new operation, which nothing on record
     * stands in the way of: the check comes before the operation does anything.
     *
     * @throws JournalException as {@link #open}, or if an earlier operation is unfinished: recover first
     */
    public static Journal openForNewOperation(Path stateDirectory, String vm) {
        Journal journal = open(stateDirectory, vm);
        try {
            journal.refuseIfUnfinished();
            return journal;
        } catch (JournalException e) {
            journal.close();
            throw e;
        }
    }

    private void refuseIfUnfinished() {
        List<Operation> open = unfinished();
        if (!open.isEmpty()) {
            Operation last = open.get(open.size() - 1);
            throw new JournalException("an unfinished " + last.kind() + " of this VM is on record (started "
                    + last.plan().path("started").asText() + ", journal " + file + "): run recover first "
                    + "(LiveSnapshots.recover, or qmp4j recover)");
        }
    }

    /** The journal's file. */
    public Path file() {
        return file;
    }

    /** Every operation on record, oldest first, with its steps. */
    public List<Operation> operations() {
        return parse(lines());
    }

    /**
     * Whether the journal of {@code vm} has an unfinished record of group snapshot {@code group}.
     * Reads without the lock (another process may be recovering that VM): what it sees is the
     * state of some moment, each line having been forced to disk before its step.
     */
    public static boolean hasUnfinishedOfGroup(Path stateDirectory, String vm, String group) {
        Path file = fileOf(stateDirectory, vm);
        List<String> lines;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return true; // cannot tell: keep what depends on it
        }
        return parse(lines).stream().anyMatch(op -> !op.finished()
                && group.equals(op.plan().path("group").path("id").asText()));
    }

    private static List<Operation> parse(List<String> lines) {
        Map<String, Operation> byId = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode entry;
            try (JsonParser parser = Json.FACTORY.createParser(line)) {
                // the first value only: a torn write that lost its newline leaves the entry before it whole
                entry = JsonTrees.read(parser);
            } catch (IOException e) {
                continue; // a line torn by a crash mid-write: its step was never taken
            }
            String id = entry.path("id").asText("");
            if (entry.has("op")) {
                byId.put(id, new Operation(entry));
            } else if (byId.containsKey(id)) {
                byId.get(id).add(entry);
            }
        }
        return List.copyOf(byId.values());
    }

    /** The operations without an end. */
    public List<Operation> unfinished() {
        return operations().stream().filter(op -> !op.finished()).toList();
    }

    /**
     * Starts recording an operation whose plan is {@code plan} (its {@code op} field says which).
     *
     * @throws JournalException if an earlier operation is unfinished: recover first
     */
    public Operation begin(ObjectNode plan) {
        refuseIfUnfinished();
        truncate();
        ObjectNode first = plan.deepCopy();
        first.put("id", UUID.randomUUID().toString());
        first.put("started", Instant.now().toString());
        first.put("pid", ProcessHandle.current().pid());
        append(first);
        begunHere = new Operation(first);
        return begunHere;
    }

    /** Appends {@code step} (with any {@code fields}) to {@code op} and forces it to disk. */
    public void step(Operation op, String step, Map<String, ?> fields) {
        for (String reserved : RESERVED) {
            if (fields.containsKey(reserved)) {
                // "op" would start an operation of its own when the journal is read back
                throw new IllegalArgumentException("a step cannot carry the field " + reserved);
            }
        }
        ObjectNode entry = JsonTrees.object();
        entry.put("id", op.id());
        entry.put("step", step);
        fields.forEach((k, v) -> entry.set(k, JsonTrees.toTree(v)));
        append(entry);
        op.add(entry);
    }

    /** Records how {@code op} ended; the journal is emptied at close once nothing on it is unfinished. */
    public void end(Operation op, String outcome) {
        ObjectNode entry = JsonTrees.object();
        entry.put("id", op.id());
        entry.put("end", outcome);
        append(entry);
        op.add(entry);
    }

    @Override
    public void close() {
        try {
            // what this handle began it knows about: no need to read the file back
            if (begunHere != null ? begunHere.finished() : unfinished().isEmpty()) {
                truncate();
            }
            lock.release();
            io.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the journal " + file, e);
        }
    }

    private List<String> lines() {
        try {
            byte[] all = new byte[(int) Math.min(io.length(), 16L << 20)];
            io.seek(0);
            io.readFully(all);
            String text = new String(all, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new JournalException("cannot read the journal " + file + ": " + e, e);
        }
    }

    /**
     * Empties the file once nothing on it is unfinished. Not forced to disk by itself: after a
     * crash of the machine the finished records may come back, which says nothing new, and the
     * next line appended is forced together with it.
     */
    private void truncate() {
        try {
            if (io.length() > 0) {
                io.setLength(0);
            }
        } catch (IOException e) {
            throw new JournalException("cannot write the journal " + file + ": " + e, e);
        }
    }

    private void append(JsonNode entry) {
        try {
            byte[] line = (JsonTrees.toText(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            io.seek(io.length()); // one writer: the lock holder
            io.write(line);
            io.getFD().sync(); // the step is on disk before it is taken
        } catch (IOException e) {
            throw new JournalException("cannot write the journal " + file + ": " + e, e);
        }
    }

    /** Records the steps of one operation in this journal. */
    public Recorder recorder(Operation op) {
        return new Recorder(this, op);
    }

    /** The steps of one operation, as it takes them. */
    public static final class Recorder {
        private final Journal journal;
        private final Operation op;

        private Recorder(Journal journal, Operation op) {
            this.journal = journal;
            this.op = op;
        }

        /** Keeps no record: for overlays made outside a recorded operation (test and benchmark set-ups). */
        public static Recorder none() {
            return new Recorder(null, null);
        }

        /** Records {@code step}, forced to disk. */
        public void step(String step) {
            step(step, Map.of());
        }

        /** Records {@code step} with {@code fields}, forced to disk. */
        public void step(String step, Map<String, ?> fields) {
            if (journal != null) {
                journal.step(op, step, fields);
            }
        }

        /** Records the end. */
        public void end(String outcome) {
            if (journal != null) {
                journal.end(op, outcome);
            }
        }
    }

    /** One recorded operation: its plan and the steps taken so far. */
    public static final class Operation {
        private final JsonNode plan;
        private final List<JsonNode> entries = new ArrayList<>();

        Operation(JsonNode plan) {
            this.plan = plan;
        }

        void add(JsonNode entry) {
            entries.add(entry);
        }

        public String id() {
            return plan.path("id").asText();
        }

        /** {@code snapshot} or {@code merge}. */
        public String kind() {
            return plan.path("op").asText();
        }

        public JsonNode plan() {
            return plan;
        }

        /** Whether {@code step} was recorded. */
        public boolean did(String step) {
            return entries.stream().anyMatch(e -> step.equals(e.path("step").asText(null)));
        }

        /** The recorded entries of {@code step}. */
        public List<JsonNode> steps(String step) {
            return entries.stream().filter(e -> step.equals(e.path("step").asText(null))).toList();
        }

        public boolean finished() {
            return entries.stream().anyMatch(e -> e.has("end"));
        }
    }
}
