package org.qmp4j.qga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.ChardevInfo;

/** Finding the agent's chardev in {@code query-chardev} by its socket, however the path is spelt. */
class AgentPresenceTest {
    @TempDir
    Path dir;

    @Test
    void theSocketIsFoundByItsAbsolutePathWithOrWithoutOptionsAndWhenDisconnected() throws Exception {
        Path socket = Files.createFile(dir.resolve("qga.sock"));
        GuestAgentOptions options = GuestAgentOptions.unix(socket);

        assertThat(AgentPresence.matches(chardev("unix:" + socket + ",server=on"), options)).isTrue();
        assertThat(AgentPresence.matches(chardev("unix:" + socket), options)).isTrue();
        assertThat(AgentPresence.matches(chardev("disconnected:unix:" + socket + ",server=on"), options)).isTrue();
    }

    @Test
    void aRelativePathOrALinkNamesTheSameSocket() throws Exception {
        Path socket = Files.createFile(dir.resolve("qga.sock"));
        Path relative = Path.of("").toAbsolutePath().relativize(socket);
        Path link = Files.createSymbolicLink(dir.resolve("link.sock"), socket);

        assertThat(AgentPresence.matches(chardev("unix:" + socket + ",server=on"), GuestAgentOptions.unix(relative)))
                .as("the user gave a relative path").isTrue();
        assertThat(AgentPresence.matches(chardev("unix:" + socket + ",server=on"), GuestAgentOptions.unix(link)))
                .as("the user gave a link").isTrue();
    }

    @Test
    void anotherSocketOrAnotherKindOfChardevIsNotTheAgents() throws Exception {
        Path socket = Files.createFile(dir.resolve("qga.sock"));
        Path other = Files.createFile(dir.resolve("qga.sock2"));
        GuestAgentOptions options = GuestAgentOptions.unix(socket);

        assertThat(AgentPresence.matches(chardev("unix:" + other + ",server=on"), options)).isFalse();
        assertThat(AgentPresence.matches(chardev("unix:" + dir.resolve("gone.sock")), options)).isFalse();
        assertThat(AgentPresence.matches(chardev("pty:/dev/pts/3"), options)).isFalse();
        assertThat(AgentPresence.matches(new ChardevInfo("qga0", null, true), options)).isFalse();
    }

    private static ChardevInfo chardev(String filename) {
        return new ChardevInfo("qga0", filename, true);
    }
}
