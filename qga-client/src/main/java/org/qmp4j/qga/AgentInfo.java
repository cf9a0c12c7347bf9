package org.qmp4j.qga;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Result of {@code guest-info}.
 *
 * @param version the agent's version
 * @param commands what it supports, with the enabled flag
 */
public record AgentInfo(String version, @JsonProperty("supported_commands") List<SupportedCommand> commands) {
    public AgentInfo {
        commands = commands == null ? List.of() : List.copyOf(commands);
    }

    /** Whether the agent knows {@code command} and has it enabled. */
    public boolean supports(String command) {
        return commands.stream().anyMatch(c -> c.name().equals(command) && c.enabled());
    }

    /**
     * One command of {@code guest-info}.
     *
     * @param name the command
     * @param enabled whether it may be called (commands blocked with {@code -b} are not)
     * @param successResponse whether it replies on success ({@code guest-shutdown} does not)
     */
    public record SupportedCommand(String name, boolean enabled,
                                   @JsonProperty("success-response") boolean successResponse) {
    }
}
