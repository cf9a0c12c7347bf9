/**
 * Live snapshots, backing chains, merge, and offline snapshot and revert ({@code org.qmp4j.snapshot}),
 * on the QMP and guest agent clients.
 */
module org.qmp4j.snapshot {
    requires transitive org.qmp4j.core;
    requires transitive org.qmp4j.qga;
    requires com.fasterxml.jackson.annotation;
    requires org.newsclub.net.unix;
    requires org.slf4j;

    exports org.qmp4j.snapshot;

    // Replies are decoded into these records by Jackson.
    opens org.qmp4j.snapshot.internal to com.fasterxml.jackson.databind;
}
