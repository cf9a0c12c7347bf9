package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.QemuProcess;

/** A client that owns its threads ends them all when it closes, however it closes. */
class ThreadLeakIT {
    private static final String PREFIX = "qmp4j-";
    private static final Duration SETTLE = Duration.ofSeconds(10);

    @Test
    void unixClientLeavesNoThreadsAfterClose() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone()) {
            QmpClient client = QmpClient.connect(qemu.qmpSocket());
            try {
                client.queryStatus();
                // Force the event executor to start too.
                client.executeAndAwaitEvent("stop", null, EventFilter.names("STOP"), SETTLE);
                assertThat(liveThreads()).anyMatch(name -> name.startsWith("qmp4j-io-unix"))
                        .anyMatch(name -> name.startsWith("qmp4j-events"));
            } finally {
                client.close();
            }
            assertNoThreadsRemain();
        }
    }

    @Test
    void tcpClientLeavesNoThreadsAfterClose() throws Exception {
        try (QemuProcess qemu = QemuProcess.startWithTcpQmp(List.of("-machine", "none"))) {
            QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.tcp(qemu.tcpQmp().getHostString(), qemu.tcpQmp().getPort())).build());
            try {
                client.queryStatus();
                assertThat(liveThreads()).anyMatch(name -> name.startsWith("qmp4j-io-tcp"));
            } finally {
                client.close();
            }
            assertNoThreadsRemain();
        }
    }

    @Test
    void clientWhoseQemuDiedLeavesNoThreads() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone()) {
            QmpClient client = QmpClient.connect(qemu.qmpSocket());
            try {
                client.queryStatus();
                qemu.kill();
                assertThat(client.closeFuture()).succeedsWithin(SETTLE);
                assertNoThreadsRemain(); // without close(): EOF alone releases owned resources
            } finally {
                client.close();
            }
        }
    }

    @Test
    void sharedResourcesKeepTheirThreadsUntilTheyAreClosed() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone()) {
            ClientResources resources = ClientResources.create(1);
            try {
                try (QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                        .resources(resources).build())) {
                    client.queryStatus();
                }
                // The client did not own them: they serve the next client.
                assertThat(liveThreads()).anyMatch(name -> name.startsWith("qmp4j-io-unix"));
                try (QmpClient again = QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                        .resources(resources).build())) {
                    assertThat(again.queryStatus().running()).isTrue();
                }
            } finally {
                resources.close();
            }
            assertNoThreadsRemain();
        }
    }

    private static List<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(PREFIX))
                .sorted()
                .toList();
    }

    /** Threads may take a moment to end after their pool shut down: allow {@link #SETTLE}. */
    private static void assertNoThreadsRemain() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<String> left = liveThreads();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = liveThreads();
        }
        assertThat(left).as("qmp4j threads still alive %s after close", SETTLE).isEmpty();
    }
}
