package org.qmp4j.qga;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
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
        return commands.stream().anyMatch(c -> command.equals(c.name()) && c.enabled());
    }

    /**
     * Why some of {@code needed} cannot be called, one phrase per command, by name: "disabled in
     * this guest's agent" (its allow or block list) or "unknown to this guest's agent"; empty
     * when every one can.
     */
    public List<String> unavailable(List<String> needed) {
        List<String> why = new ArrayList<>();
        for (String command : needed) {
            SupportedCommand found = commands.stream().filter(c -> command.equals(c.name())).findFirst().orElse(null);
            if (found == null) {
                why.add(command + " is unknown to this guest's agent");
            } else if (!found.enabled()) {
                why.add(command + " is disabled in this guest's agent");
            }
        }
        return why;
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
