/**
 * The guest agent client ({@code org.qmp4j.qga}): resync, presence, fsfreeze with a thaw
 * watchdog, info, exec. Runs on the shared transport of {@code org.qmp4j.core}.
 */
module org.qmp4j.qga {
    requires transitive org.qmp4j.core;
    requires com.fasterxml.jackson.annotation;
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires org.slf4j;

    exports org.qmp4j.qga;

    // Replies are decoded into these records by Jackson.
    opens org.qmp4j.qga to com.fasterxml.jackson.databind;
}
