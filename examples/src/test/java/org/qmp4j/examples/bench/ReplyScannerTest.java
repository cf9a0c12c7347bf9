package org.qmp4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark's hand-written client must tell replies, errors and events apart and read the right id. */
class ReplyScannerTest {
    private final ReplyScanner scanner = new ReplyScanner();

    @Test
    void readsTheIdOfAReplyWhateverTheKeyOrder() {
        scan("{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 42}");
        assertThat(scanner.kind()).isEqualTo(ReplyScanner.Kind.RETURN);
        assertThat(scanner.hasNumericId()).isTrue();
        assertThat(scanner.id()).isEqualTo(42);

        scan("{\"id\": 7, \"return\": {}}");
        assertThat(scanner.kind()).isEqualTo(ReplyScanner.Kind.RETURN);
        assertThat(scanner.id()).isEqualTo(7);
    }

    @Test
    void ignoresIdsAndKeywordsNestedInsideValues() {
        scan("{\"return\": [{\"id\": 5, \"event\": \"x\"}, \"\\\"id\\\": 6\"], \"id\": 9}");
        assertThat(scanner.kind()).isEqualTo(ReplyScanner.Kind.RETURN);
        assertThat(scanner.id()).isEqualTo(9);
    }

    @Test
    void recognisesErrorsEventsAndTheGreeting() {
        scan("{\"id\": 2, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}");
        assertThat(scanner.kind()).isEqualTo(ReplyScanner.Kind.ERROR);
        assertThat(scanner.id()).isEqualTo(2);

        scan("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}");
        assertThat(scanner.kind()).isEqualTo(ReplyScanner.Kind.EVENT);
        assertThat(scanner.hasNumericId()).isFalse();

        scan("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}");
        assertThat(scanner.kind()).isEqualTo(ReplyScanner.Kind.GREETING);
    }

    @Test
    void aStringIdIsNotNumeric() {
        scan("{\"return\": {}, \"id\": \"x\"}");
        assertThat(scanner.kind()).isEqualTo(ReplyScanner.Kind.RETURN);
        assertThat(scanner.hasNumericId()).isFalse();
    }

    @Test
    void scansOnlyTheGivenRangeOfTheBuffer() {
        String text = "{\"return\": {}, \"id\": 1}\r\n{\"return\": {}, \"id\": 23}\r\n";
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        int second = text.indexOf('\n') + 1;
        scanner.scan(buf, second, text.length() - 2);
        assertThat(scanner.id()).isEqualTo(23);
    }

    private void scan(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        scanner.scan(ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
