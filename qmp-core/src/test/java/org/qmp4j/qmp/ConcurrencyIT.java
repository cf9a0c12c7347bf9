package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.qmp.testing.QemuClientExtension;

/**
 * Many commands at once on one connection: every reply must reach the command that asked for it.
 * The commands are mixed so that a reply routed to the wrong caller fails the check.
 */
class ConcurrencyIT {
    private static final String VM_NAME = "qmp4j-concurrency-it";
    private static final Duration WAIT = Duration.ofSeconds(120);

    // A long deadline: on a loaded machine hundreds of queued commands must not time out.
    @RegisterExtension
    static final QemuClientExtension QEMU = QemuClientExtension.machineNone("-name", VM_NAME)
            .clientOptions(b -> b.commandTimeout(WAIT));
    private static QmpClient client;
    private static List<Probe> probes;

    /** A command and what its reply must look like. */
    private record Probe(String command, Predicate<JsonNode> expected) {
        String check(JsonNode reply) {
            return expected.test(reply) ? null : command + " got " + reply;
        }
    }

    @BeforeAll
    static void start() {
        client = QEMU.client();
        QemuVersion v = client.greeting().version();
        probes = List.of(
                new Probe("query-status", r -> r.path("running").asBoolean(false)
                        && r.path("status").asText().equals("running")),
                new Probe("query-version", r -> r.path("qemu").path("major").asInt(-1) == v.major()
                        && r.path("qemu").path("minor").asInt(-1) == v.minor()
                        && r.path("qemu").path("micro").asInt(-1) == v.micro()),
                new Probe("query-name", r -> r.path("name").asText().equals(VM_NAME)));
    }


    @Test
    void eightThreadsOf250MixedCommandsEachGetTheirOwnReply() throws Exception {
        int threads = 8;
        int perThread = 250;
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                done.add(pool.submit(() -> {
                    go.await();
                    int ok = 0;
                    for (int i = 0; i < perThread; i++) {
                        Probe probe = probes.get((offset + i) % probes.size());
                        String problem = probe.check(client.execute(probe.command()));
                        if (problem == null) {
                            ok++;
                        } else {
                            wrong.add(problem);
                        }
                    }
                    return ok;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            assertThat(wrong).isEmpty();
            assertThat(total).isEqualTo(threads * perThread);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void hundredsOfPipelinedAsyncCommandsEachGetTheirOwnReply() {
        int count = 600;
        List<Probe> sent = new ArrayList<>(count);
        List<CompletableFuture<JsonNode>> replies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Probe probe = probes.get(i % probes.size());
            sent.add(probe);
            replies.add(client.executeAsync(probe.command()));
        }
        long stillInFlight = replies.stream().filter(f -> !f.isDone()).count();

        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toMillis(),
                TimeUnit.MILLISECONDS).join();

        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String problem = sent.get(i).check(replies.get(i).join());
            if (problem != null) {
                wrong.add("#" + i + " " + problem);
            }
        }
        assertThat(wrong).isEmpty();
        // They really were pipelined: QEMU cannot have answered 600 before the last one was sent.
        assertThat(stillInFlight).isGreaterThan(1);
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }
}
