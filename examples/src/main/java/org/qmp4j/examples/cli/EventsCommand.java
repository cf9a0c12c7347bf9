package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.OverflowPolicy;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpEvent;
import org.qmp4j.qmp.QmpOptions;

/**
 * {@code qmp4j events}: prints QMP events as JSON lines in their wire form, one per line,
 * flushed at once, until {@code --count} events came, the {@code --timeout} passed, or the
 * connection closed.
 *
 * <p>With {@code --count N}: exit 0 after N events, {@link ExitCode#TIMEOUT} if the timeout came
 * first, {@link ExitCode#CONNECTION_FAILED} if the connection closed first. Without it, the timeout
 * and the connection closing are the normal end (exit 0). It also stops, with exit 0, once stdout
 * is closed (e.g. piped into {@code head}).
 */
final class EventsCommand implements Subcommand {
    private static final String NAME = "--name";
    private static final String COUNT = "--count";
    /** Events are never dropped silently: a reader this far behind ends the run instead. */
    private static final int QUEUE_CAPACITY = 65_536;
    /** How long one wait lasts when no timeout was given (the loop simply waits again). */
    private static final Duration WAIT_SLICE = Duration.ofMinutes(1);

    @Override
    public String name() {
        return "events";
    }

    @Override
    public String summary() {
        return "print QMP events as JSON lines";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j events", ExitCode.inText("""
                Prints QMP events as they arrive, one JSON line each, in QMP's wire form:
                {"event":NAME,"data":{...},"timestamp":{"seconds":S,"microseconds":US}}
                ("data" is {} when the event has none). With --count N it exits 0 after N events,
                %d if the timeout came first, %d if the connection closed first. Without --count it
                runs until the timeout or until QEMU closes the connection, and exits 0.""",
                ExitCode.TIMEOUT, ExitCode.CONNECTION_FAILED));
        CommonOptions.socket(parser, "QMP socket");
        parser.repeatedOption(NAME, "EVENT", "only events with this name, e.g. STOP");
        parser.option(COUNT, "N", "stop after N events");
        return CommonOptions.timeout(parser, "stop after this long (default: no limit; connecting alone may take "
                + Durations.format(QmpOptions.DEFAULT_CONNECT_TIMEOUT) + ")");
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        Endpoint endpoint = CommonOptions.endpoint(args);
        List<String> names = args.values(NAME);
        Optional<Integer> count = args.value(COUNT, EventsCommand::positiveInt);
        Optional<Duration> timeout = CommonOptions.timeout(args);

        long deadline = System.nanoTime() + timeout.map(Duration::toNanos).orElse(0L);
        Duration connectTimeout = timeout.filter(t -> t.compareTo(QmpOptions.DEFAULT_CONNECT_TIMEOUT) < 0)
                .orElse(QmpOptions.DEFAULT_CONNECT_TIMEOUT);
        EventFilter filter = names.isEmpty() ? EventFilter.all() : EventFilter.names(names.toArray(String[]::new));
        QmpOptions options = CommonOptions.qmpOptions(endpoint).connectTimeout(connectTimeout).build();

        int received = 0;
        try (QmpClient client = QmpClient.connect(options);
             EventSubscription events = client.subscribe(filter, QUEUE_CAPACITY, OverflowPolicy.FAIL)) {
            while (count.isEmpty() || received < count.get()) {
                Duration wait = timeout.isPresent() ? Duration.ofNanos(deadline - System.nanoTime()) : WAIT_SLICE;
                if (wait.isNegative() || wait.isZero()) {
                    break;
                }
                Optional<QmpEvent> event;
                try {
                    event = events.poll(wait);
                } catch (ConnectionClosedException e) {
                    if (count.isEmpty()) {
                        return ExitCode.OK;
                    }
                    throw new CliException(ExitCode.CONNECTION_FAILED, "connection closed after " + received
                            + " of " + count.get() + " events" + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
                }
                if (event.isPresent()) {
                    out.println(CliJson.line(toWire(event.get())));
                    out.flush();
                    received++;
                    if (out.checkError()) {
                        return ExitCode.OK; // nobody reads any more
                    }
                }
            }
        }
        if (count.isPresent() && received < count.get()) {
            throw new CliException(ExitCode.TIMEOUT, "timeout: got " + received + " of " + count.get()
                    + " events within " + Durations.format(timeout.orElseThrow()));
        }
        return ExitCode.OK;
    }

    /** The event as QEMU sent it: {@code event}, {@code data} (always present), {@code timestamp}. */
    static ObjectNode toWire(QmpEvent event) {
        ObjectNode node = JsonTrees.object();
        node.put("event", event.name());
        node.set("data", event.data());
        ObjectNode timestamp = node.putObject("timestamp");
        timestamp.put("seconds", event.timestamp().getEpochSecond());
        timestamp.put("microseconds", event.timestamp().getNano() / 1000);
        return node;
    }

    private static Integer positiveInt(String text) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1");
        }
        return n;
    }
}
