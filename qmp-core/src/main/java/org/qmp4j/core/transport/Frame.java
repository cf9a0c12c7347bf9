package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.qmp4j.core.ProtocolException;

/**
 * One message from the peer: a JSON object, or the reason a line could not be read as one.
 *
 * @param message the decoded object, or {@code null} when {@code error} is set
 * @param error why the line was rejected, or {@code null}
 * @param delimited whether a {@code 0xFF} resynchronisation byte came right before this message
 */
public record Frame(ObjectNode message, ProtocolException error, boolean delimited) {
    static Frame of(ObjectNode message, boolean delimited) {
        return new Frame(message, null, delimited);
    }

    static Frame failed(ProtocolException error) {
        return new Frame(null, error, false);
    }
}
