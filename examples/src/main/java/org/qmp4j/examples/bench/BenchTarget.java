package org.qmp4j.examples.bench;

/** One QMP client under test, connected to the benchmark's QEMU. */
interface BenchTarget extends AutoCloseable {
    /** How the report names this client. */
    String name();

    /** One {@code query-status} round trip: send, wait for the matching reply. */
    void roundTrip() throws Exception;

    /**
     * Runs {@code count} {@code query-status} commands keeping {@code window} in flight, and
     * returns the elapsed nanoseconds from the first send to the last reply.
     */
    long pipelined(int count, int window) throws Exception;
}
