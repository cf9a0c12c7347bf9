package org.qmp4j.examples;

import java.nio.file.Path;
import java.time.Duration;
import org.qmp4j.core.CommandException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpEvent;
import org.qmp4j.qmp.QmpSchema;
import org.qmp4j.qmp.StatusInfo;

/**
 * A short tour of the QMP client against a running QEMU: connect, query, introspect, pause and
 * resume with the events that follow, and an error reply. Run by {@code scripts/demo.sh}.
 *
 * <p>Usage: {@code QmpTour QMP_SOCKET}
 */
public final class QmpTour {
    private QmpTour() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: QmpTour QMP_SOCKET");
            System.exit(2);
        }
        Path socket = Path.of(args[0]);
        say("connecting to " + socket + " (connect + greeting + qmp_capabilities)");
        try (QmpClient qmp = QmpClient.connect(socket)) {
            say("connected to QEMU " + qmp.greeting().version() + ", server offers " + qmp.greeting().capabilities());

            StatusInfo status = qmp.queryStatus();
            say("query-status (typed): running=" + status.running() + ", status=" + status.status());
            say("query-version (untyped): " + qmp.execute("query-version"));

            QmpSchema schema = qmp.schema();
            say("query-qmp-schema: " + schema.commands().size() + " commands, " + schema.events().size()
                    + " events; blockdev-add drivers include qcow2: "
                    + schema.argumentValues("blockdev-add", "driver").contains("qcow2")
                    + "; block-commit takes auto-dismiss: " + schema.hasArgument("block-commit", "auto-dismiss"));

            try (EventSubscription events = qmp.subscribe(EventFilter.names("STOP", "RESUME"))) {
                QmpEvent stopped = qmp.executeAndAwaitEvent("stop", null, EventFilter.names("STOP"),
                        Duration.ofSeconds(5));
                say("stop -> event " + stopped.name() + " at " + stopped.timestamp()
                        + "; status now " + qmp.queryStatus().status());
                qmp.execute("cont");
                say("cont -> events seen by a second subscriber: " + drain(events));
            }

            try {
                qmp.execute("blockdev-del", java.util.Map.of("node-name", "no-such-node"));
            } catch (CommandException e) {
                say("an error keeps QEMU's class and text: " + e.errorClass() + ": " + e.description());
            }
        }
        say("closed; no thread or socket left behind");
    }

    private static String drain(EventSubscription events) {
        StringBuilder names = new StringBuilder();
        while (true) {
            var next = events.poll(Duration.ofMillis(names.length() == 0 ? 2000 : 200));
            if (next.isEmpty()) {
                return names.toString();
            }
            names.append(names.length() == 0 ? "" : ", ").append(next.get().name());
        }
    }

    private static void say(String line) {
        System.out.println("[qmp4j demo] " + line);
    }
}
