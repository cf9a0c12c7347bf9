package org.qmp4j.qmp;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of {@code query-chardev}.
 *
 * @param label the chardev id
 * @param filename what it is connected to (e.g. {@code unix:/path,server=on})
 * @param frontendOpen whether the guest side has it open (for the agent channel: whether
 *        {@code qemu-ga} runs in the guest)
 */
public record ChardevInfo(String label, String filename, @JsonProperty("frontend-open") boolean frontendOpen) {
}
