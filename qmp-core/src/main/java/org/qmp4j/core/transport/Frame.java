package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.qmp4j.core.ProtocolException;

/**
 * One message from the peer: a JSON object, or the reason a line could not be read as one.
 *
 * @param message the decoded object, or {@code null} when {@code error} is set
 * @param error why the line was rejected, or {@code null}
 */
public record Frame(ObjectNode message, ProtocolException error) {
    static Frame of(ObjectNode message) {
        return new Frame(message, null);
    }

    static Frame failed(ProtocolException error) {
        return new Frame(null, error);
    }
}
