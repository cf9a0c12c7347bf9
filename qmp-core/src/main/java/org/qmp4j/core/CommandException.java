package org.qmp4j.core;

/**
 * The peer (QEMU or the guest agent) answered a command with an error reply. Keeps the error
 * class (for example {@code GenericError}, {@code CommandNotFound}, {@code DeviceNotFound}) and the
 * human-readable description exactly as the peer sent them.
 */
public class CommandException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final String errorClass;
    private final String description;

    public CommandException(String command, String errorClass, String description) {
        super(command + ": " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    /**
     * The same error reply, told more precisely by a subtype (what the reply means); {@code reply}
     * becomes the cause.
     */
    protected CommandException(CommandException reply) {
        this(reply.command, reply.errorClass, reply.description);
        initCause(reply);
    }

    /** The command that failed, as it was sent. */
    public String command() {
        return command;
    }

    /** The peer's error class, e.g. {@code GenericError}. */
    public String errorClass() {
        return errorClass;
    }

    /** The peer's error description ("desc"). */
    public String description() {
        return description;
    }
}
