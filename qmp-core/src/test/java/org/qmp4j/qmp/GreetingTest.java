package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.testkit.QmpMessages;

/** Reading the {@code QMP} greeting. */
class GreetingTest {

    @Test
    void readsQemu72Greeting() {
        Greeting greeting = Greeting.parse(QmpMessages.parse(QmpMessages.QEMU_7_2_GREETING));

        assertThat(greeting.version()).isEqualTo(new QemuVersion(7, 2, 22, "Debian 1:7.2+dfsg-7+deb12u18"));
        assertThat(greeting.capabilities()).containsExactly("oob");
        assertThat(greeting.offers("oob")).isTrue();
        assertThat(greeting.offers("something-else")).isFalse();
    }

    @Test
    void greetingWithoutCapabilitiesOrPackage() {
        Greeting greeting = Greeting.parse(QmpMessages.parse(
                "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 1, \"minor\": 0, \"major\": 9}}, \"capabilities\": []}}"));

        assertThat(greeting.version()).isEqualTo(new QemuVersion(9, 0, 1, ""));
        assertThat(greeting.capabilities()).isEmpty();
        assertThat(greeting.offers("oob")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"return\": {}}", "{\"QMP\": \"7.2\"}", "{\"event\": \"STOP\"}", "{}"})
    void somethingElseIsAProtocolError(String message) {
        assertThatThrownBy(() -> Greeting.parse(QmpMessages.parse(message))).isInstanceOf(ProtocolException.class);
    }
}
