package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.qmp4j.core.Checks;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.ImageException;

/**
 * Runs {@code qemu-img} with a deadline and decodes its {@code --output=json}. Paths are passed
 * absolute, so {@code qemu-img} never takes part of a name for a protocol prefix and every
 * reported file name is absolute. A non-zero exit becomes an {@link ImageException} carrying
 * {@code qemu-img}'s stderr.
 */
public final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path executable;
    private final Duration timeout;

    /** Runs {@code executable} (a path, or a name looked up on {@code PATH}) with {@code timeout} per call. */
    public QemuImg(Path executable, Duration timeout) {
        this.executable = Objects.requireNonNull(executable, "executable");
        this.timeout = Checks.positive(timeout, "timeout");
    }

    /**
     * The backing chain of {@code image}, top first, read with {@code -U} (works on images in use).
     * Node names are {@code null}: files have none.
     */
    public List<ChainLayer> backingChain(Path image) {
        return parseChain(run("info", "--backing-chain", "--output=json", "-U", absolute(image)));
    }

    /** {@code image} alone (no backing chain), read with {@code -U} (works on images in use). */
    public QemuImgInfo inspect(Path image) {
        return parseInfo(run("info", "--output=json", "-U", absolute(image)), image.toAbsolutePath());
    }

    /**
     * {@code image} alone, read WITHOUT {@code -U}: {@code qemu-img} then needs the image's locks,
     * which a running QEMU that writes to it holds.
     *
     * @throws ImageException saying "in use" when a running QEMU holds the image
     */
    public QemuImgInfo inspectNotInUse(Path image) {
        List<String> command = command("info", "--output=json", absolute(image));
        ProcessRunner.Output out = ProcessRunner.run(command, timeout);
        if (out.exitCode() != 0 && isLockConflict(out.stderr())) {
            throw new ImageException("image " + image.toAbsolutePath() + " is in use by a running QEMU"
                    + " (stop the VM first): " + out.stderr().strip());
        }
        return parseInfo(checked(command, out), image.toAbsolutePath());
    }

    /** {@code qemu-img create -f qcow2 -b BASE -F FORMAT OVERLAY}: writes a qcow2 header into {@code overlay}. */
    public void createOverlay(Path base, String baseFormat, Path overlay) {
        run("create", "-q", "-f", "qcow2", "-b", absolute(base), "-F", baseFormat, absolute(overlay));
    }

    /** The executable this runs. */
    public Path executable() {
        return executable;
    }

    /** The deadline of each call. */
    public Duration timeout() {
        return timeout;
    }

    /** Whether {@code qemu-img} failed because another process holds the image's locks. */
    static boolean isLockConflict(String stderr) {
        return stderr.contains("Failed to get") && stderr.contains("lock");
    }

    /** Decodes {@code qemu-img info --backing-chain --output=json}: an array, top first. */
    static List<ChainLayer> parseChain(String json) {
        JsonNode root = parse(json);
        if (!root.isArray() || root.isEmpty()) {
            throw new ImageException("qemu-img info --backing-chain printed no chain: " + json);
        }
        List<ChainLayer> layers = new ArrayList<>();
        for (JsonNode layer : root) {
            layers.add(new ChainLayer(null, Path.of(text(layer, "filename", json)), text(layer, "format", json)));
        }
        return List.copyOf(layers);
    }

    /** Decodes {@code qemu-img info --output=json} of one image. */
    static QemuImgInfo parseInfo(String json, Path image) {
        JsonNode root = parse(json);
        String format = text(root, "format", json);
        Path backing = null;
        if (root.hasNonNull("full-backing-filename")) {
            backing = Path.of(root.get("full-backing-filename").asText());
        } else if (root.hasNonNull("backing-filename")) {
            // Relative backing names are relative to the image's own directory.
            Path dir = image.toAbsolutePath().getParent();
            backing = dir.resolve(root.get("backing-filename").asText()).normalize();
        }
        return new QemuImgInfo(image, format, backing);
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ImageException("qemu-img printed no valid JSON: " + e.getOriginalMessage() + ": " + json, e);
        }
    }

    private static String text(JsonNode node, String field, String json) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new ImageException("qemu-img info printed no \"" + field + "\": " + json);
        }
        return value.asText();
    }

    private String run(String... args) {
        List<String> command = command(args);
        return checked(command, ProcessRunner.run(command, timeout));
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        return command;
    }

    private static String checked(List<String> command, ProcessRunner.Output out) {
        if (out.exitCode() != 0) {
            throw new ImageException(String.join(" ", command) + " failed (exit " + out.exitCode() + "): "
                    + out.stderr().strip());
        }
        return out.stdout();
    }

    private static String absolute(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }
}
