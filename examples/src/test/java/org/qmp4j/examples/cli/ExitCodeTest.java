package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.FdPassingException;
import org.qmp4j.core.InvalidArgumentsException;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.qga.ExecTimeoutException;
import org.qmp4j.qga.FreezeException;
import org.qmp4j.qga.ThawFailedException;
import org.qmp4j.qga.GuestAgentAbsentException;
import org.qmp4j.qmp.CapabilityNotNegotiatedException;
import org.qmp4j.qmp.EventOverflowException;
import org.qmp4j.qmp.EventTimeoutException;
import org.qmp4j.snapshot.ImageException;
import org.qmp4j.snapshot.JobFailedException;
import org.qmp4j.snapshot.JobTimeoutException;
import org.qmp4j.snapshot.MemorySaveException;
import org.qmp4j.snapshot.MergeFailedException;
import org.qmp4j.snapshot.SnapshotFailedException;
import org.qmp4j.snapshot.TransactionOutcomeUnknownException;

class ExitCodeTest {
    private static final CommandTimeoutException TIMEOUT = new CommandTimeoutException("query-status",
            Duration.ofMillis(500));

    @Test
    void codesAreTheDocumentedOnesAndDistinct() {
        assertThat(Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(ExitCode.OK.code()).isZero();
        assertThat(ExitCode.USAGE.code()).isEqualTo(2);
        assertThat(ExitCode.QMP_ERROR.code()).isEqualTo(3);
        assertThat(ExitCode.CONNECTION_FAILED.code()).isEqualTo(4);
        assertThat(ExitCode.TIMEOUT.code()).isEqualTo(5);
        assertThat(ExitCode.AGENT_ABSENT.code()).isEqualTo(6);
        assertThat(ExitCode.FAILED.code()).isEqualTo(7);
        assertThat(ExitCode.FAILED_NOT_UNDONE.code()).isEqualTo(8);
    }

    /** Absence shows as a sync that timed out: it must still be 6, not 5. */
    @Test
    void noAgentIsAgentAbsentEvenThoughItTimedOut() {
        assertThat(ExitCode.of(new GuestAgentAbsentException("no guest agent answered", TIMEOUT)))
                .isEqualTo(ExitCode.AGENT_ABSENT);
        assertThat(ExitCode.of(new GuestAgentAbsentException("channel closed", null))).isEqualTo(ExitCode.AGENT_ABSENT);
        assertThat(ErrorMessages.of(new GuestAgentAbsentException("no guest agent answered on x within 500 ms", TIMEOUT)))
                .isEqualTo("error: no guest agent answered on x within 500 ms");
    }

    @Test
    void snapshotFailuresAre7WhenUndoneAnd8WhenNot() {
        assertThat(ExitCode.of(new SnapshotFailedException("preflight", "no disk", null, List.of(), List.of())))
                .isEqualTo(ExitCode.FAILED);
        assertThat(ExitCode.of(new SnapshotFailedException("transaction", "x", null, List.of("node a"),
                List.of("file /b")))).isEqualTo(ExitCode.FAILED_NOT_UNDONE);
    }

    @Test
    void mergeAndImageFailuresAre7() {
        assertThat(ExitCode.of(new MergeFailedException("job failed", null))).isEqualTo(ExitCode.FAILED);
        assertThat(ExitCode.of(new ImageException("not in the chain"))).isEqualTo(ExitCode.FAILED);
    }

    @Test
    void errorReplyIsQmpError() {
        assertThat(ExitCode.of(new CommandException("x", "CommandNotFound", "nope"))).isEqualTo(ExitCode.QMP_ERROR);
    }

    @Test
    void noReplyInTimeIsTimeout() {
        assertThat(ExitCode.of(TIMEOUT)).isEqualTo(ExitCode.TIMEOUT);
    }

    @Test
    void noGreetingInTimeIsTimeoutButOtherConnectFailuresAreNot() {
        assertThat(ExitCode.of(new ConnectionFailedException("not ready", TIMEOUT))).isEqualTo(ExitCode.TIMEOUT);
        assertThat(ExitCode.of(new ConnectionFailedException("refused", new java.net.ConnectException("refused"))))
                .isEqualTo(ExitCode.CONNECTION_FAILED);
    }

    @Test
    void closedConnectionsAndProtocolErrorsAreConnectionFailures() {
        assertThat(ExitCode.of(new ConnectionClosedException("EOF"))).isEqualTo(ExitCode.CONNECTION_FAILED);
        assertThat(ExitCode.of(new ProtocolException("bad JSON"))).isEqualTo(ExitCode.CONNECTION_FAILED);
        assertThat(ExitCode.of(new EventOverflowException(10))).isEqualTo(ExitCode.CONNECTION_FAILED);
    }

    /** Each failure type of the library has its code, decided by type, not by a fallback. */
    @Test
    void everyLibraryFailureTypeHasItsCode() {
        assertThat(ExitCode.of(new ConnectTimeoutException(Endpoint.unix(Path.of("/x")), Duration.ofSeconds(1))))
                .isEqualTo(ExitCode.TIMEOUT);
        assertThat(ExitCode.of(new EventTimeoutException("stop", Duration.ofSeconds(1)))).isEqualTo(ExitCode.TIMEOUT);
        assertThat(ExitCode.of(new ExecTimeoutException("/bin/sleep", 42, Duration.ofSeconds(1))))
                .isEqualTo(ExitCode.TIMEOUT);
        assertThat(ExitCode.of(new JobTimeoutException("blockdev-create", "j0", Duration.ofSeconds(1))))
                .isEqualTo(ExitCode.TIMEOUT);
        assertThat(ExitCode.of(new JobFailedException("blockdev-create", "j0", "No space left"))).isEqualTo(ExitCode.FAILED);
        assertThat(ExitCode.of(new MemorySaveException("saving memory failed"))).isEqualTo(ExitCode.FAILED);
        assertThat(ExitCode.of(new FreezeException("refused; thawed again", null))).isEqualTo(ExitCode.FAILED);
        assertThat(ExitCode.of(new ThawFailedException("guest may still be frozen", null)))
                .isEqualTo(ExitCode.FAILED_NOT_UNDONE);
        assertThat(ExitCode.of(new InvalidArgumentsException("cannot encode", null))).isEqualTo(ExitCode.USAGE);
        assertThat(ExitCode.of(new CapabilityNotNegotiatedException("oob", "no oob"))).isEqualTo(ExitCode.USAGE);
        assertThat(ExitCode.of(new FdPassingException("not a UNIX socket", null))).isEqualTo(ExitCode.CONNECTION_FAILED);
        assertThat(ExitCode.of(new TransactionOutcomeUnknownException("unknown", null)))
                .isEqualTo(ExitCode.CONNECTION_FAILED);
        assertThat(ErrorMessages.of(new ConnectTimeoutException(Endpoint.unix(Path.of("/x")), Duration.ofSeconds(1))))
                .isEqualTo("error: timeout: cannot connect to unix:/x: not ready within 1000 ms");
    }

    @Test
    void cliExceptionsCarryTheirOwnCode() {
        assertThat(ExitCode.of(new UsageException("bad"))).isEqualTo(ExitCode.USAGE);
        assertThat(ExitCode.of(new CliException(ExitCode.TIMEOUT, "too few"))).isEqualTo(ExitCode.TIMEOUT);
    }

    @Test
    void looksInsideCompletionWrappers() {
        assertThat(ExitCode.of(new CompletionException(new CommandException("x", "GenericError", "d"))))
                .isEqualTo(ExitCode.QMP_ERROR);
    }

    @Test
    void anythingElseIsAnInternalError() {
        assertThat(ExitCode.of(new NullPointerException())).isEqualTo(ExitCode.INTERNAL_ERROR);
        assertThat(ExitCode.of(new IllegalStateException("x"))).isEqualTo(ExitCode.INTERNAL_ERROR);
    }

    @Test
    void messagesSayWhatHappened() {
        assertThat(ErrorMessages.of(new CommandException("frob", "CommandNotFound", "The command frob has not been found")))
                .isEqualTo("error: CommandNotFound: The command frob has not been found");
        assertThat(ErrorMessages.of(TIMEOUT)).isEqualTo("error: timeout: query-status: no reply within 500 ms");
        assertThat(ErrorMessages.of(new ConnectionFailedException("cannot connect to x: not ready", TIMEOUT)))
                .isEqualTo("error: timeout: cannot connect to x: not ready");
        assertThat(ErrorMessages.of(new ConnectionClosedException("QMP closed the connection (EOF)")))
                .isEqualTo("error: QMP closed the connection (EOF)");
        assertThat(ErrorMessages.of(new CliException(ExitCode.TIMEOUT, "timeout: got 0 of 1 events within 1s")))
                .isEqualTo("error: timeout: got 0 of 1 events within 1s");
        assertThat(ErrorMessages.of(new NullPointerException())).isEqualTo("error: java.lang.NullPointerException");
    }

    @Test
    void usageTextsGetTheirExitCodesInOrder() {
        assertThat(ExitCode.inText("exit %d, then %d; 100%", ExitCode.FAILED, ExitCode.TIMEOUT))
                .isEqualTo("exit " + ExitCode.FAILED.code() + ", then " + ExitCode.TIMEOUT.code() + "; 100%");
        assertThatThrownBy(() -> ExitCode.inText("exit %d", ExitCode.FAILED, ExitCode.TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExitCode.inText("exit %d or %d", ExitCode.FAILED))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
