package org.qmp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The plain client's handshake against an in-process peer. */
class PlainJsonLinesClientTest {
    private static final String EVENT = "{\"timestamp\":{\"seconds\":1,\"microseconds\":2},\"event\":\"VSERPORT_CHANGE\","
            + "\"data\":{\"open\":true,\"id\":\"qga-port\"}}";

    @Test
    void anEventQueuedBeforeTheGreetingIsSkipped() {
        try (FakeQmpPeer peer = FakeQmpPeer.builder().greeting(EVENT + "\r\n" + QmpMessages.QEMU_7_2_GREETING).start();
             PlainJsonLinesClient qmp = PlainJsonLinesClient.qmp(peer.socket())) {
            // connected: the greeting was found past the event, and the negotiation answered
            assertThat(QmpMessages.command(peer.nextRequest())).isEqualTo("qmp_capabilities");
        }
    }

    @Test
    void somethingElseThanAGreetingIsRefused() {
        try (FakeQmpPeer peer = FakeQmpPeer.builder().greeting("{\"return\":{}}").start()) {
            assertThatThrownBy(() -> PlainJsonLinesClient.qmp(peer.socket())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not a QMP greeting");
        }
    }
}
