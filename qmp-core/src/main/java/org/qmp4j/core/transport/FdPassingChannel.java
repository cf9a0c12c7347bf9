package org.qmp4j.core.transport;

import java.io.FileDescriptor;
import java.io.IOException;

/** A channel that can attach file descriptors (SCM_RIGHTS) to the next bytes it writes. */
public interface FdPassingChannel {
    /** The descriptors go out with the next write on the socket. */
    void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException;
}
