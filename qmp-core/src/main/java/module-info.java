/**
 * qmp4j's core: the QMP client ({@code org.qmp4j.qmp}) and what both protocol clients share
 * ({@code org.qmp4j.core}: endpoints, client resources, the exception root). The shared
 * transport ({@code org.qmp4j.core.transport}: framing, correlation, the channel) is exported
 * only to qmp4j's own sibling modules; it is not API.
 */
module org.qmp4j.core {
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.annotation;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.transport;
    requires org.newsclub.net.unix;
    // junixsocket finds its native library by name at run time: nobody would resolve this module otherwise.
    requires com.kohlschutter.junixsocket.nativecommon;
    requires org.slf4j;

    exports org.qmp4j.core;
    exports org.qmp4j.qmp;
    exports org.qmp4j.core.transport to org.qmp4j.qga, org.qmp4j.snapshot;
    exports org.qmp4j.qmp.internal to org.qmp4j.qga, org.qmp4j.snapshot;

    // Replies are decoded into these records by Jackson.
    opens org.qmp4j.qmp to com.fasterxml.jackson.databind;
}
