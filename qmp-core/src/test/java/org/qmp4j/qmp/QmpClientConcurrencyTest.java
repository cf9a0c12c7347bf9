package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.BlockingOnIoThreadException;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.QmpMessages;

/** Many callers at once, and callers on the wrong thread. */
class QmpClientConcurrencyTest extends FakePeerSupport {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 200;
    private static final int BATCH = 64;

    @Test
    void manyCommandsInFlightFromManyThreadsEachGetTheirOwnReply() throws Exception {
        QmpClient client = connect(b -> b.commandTimeout(Duration.ofSeconds(60)));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Map<String, CompletableFuture<JsonNode>>>> senders = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                senders.add(pool.submit(() -> {
                    start.await();
                    Map<String, CompletableFuture<JsonNode>> sent = new LinkedHashMap<>();
                    for (int c = 0; c < PER_THREAD; c++) {
                        String tag = "t" + thread + "-c" + c;
                        sent.put(tag, client.executeAsync("echo", Map.of("tag", tag)));
                    }
                    return sent;
                }));
            }
            start.countDown();

            Set<JsonNode> ids = answerShuffled(THREADS * PER_THREAD);

            assertThat(ids).hasSize(THREADS * PER_THREAD);
            for (Future<Map<String, CompletableFuture<JsonNode>>> sender : senders) {
                Await.value(sender).forEach((tag, reply) -> assertThat(Await.value(reply).asText()).isEqualTo(tag));
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void blockingCallInACallbackOnTheIoThreadFailsFast() {
        QmpClient client = connect();
        CompletableFuture<JsonNode> first = client.executeAsync("query-status");
        JsonNode request = peer.nextRequest();
        CompletableFuture<String> callbackThread = new CompletableFuture<>();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        // Attached before the reply exists, so the callback runs where the reply completes it.
        first.thenAccept(reply -> {
            callbackThread.complete(Thread.currentThread().getName());
            try {
                client.execute("query-block");
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });

        peer.sendLine(QmpMessages.reply(request, Map.of()));

        assertThat(Await.value(callbackThread)).startsWith("qmp4j-io");
        assertThat(Await.value(thrown)).isInstanceOf(BlockingOnIoThreadException.class);
    }

    /**
     * Answers {@code count} echo requests (return = the request's tag) in shuffled batches, each
     * batch in one write; returns the request ids seen.
     */
    private Set<JsonNode> answerShuffled(int count) {
        Random random = new Random(7);
        Set<JsonNode> ids = new HashSet<>();
        int answered = 0;
        while (answered < count) {
            List<JsonNode> batch = new ArrayList<>(List.of(peer.nextRequest()));
            Optional<JsonNode> more;
            while (batch.size() < BATCH && (more = peer.pollRequest(Duration.ZERO)).isPresent()) {
                batch.add(more.get());
            }
            Collections.shuffle(batch, random);
            StringBuilder replies = new StringBuilder();
            for (JsonNode request : batch) {
                ids.add(request.get("id"));
                replies.append(QmpMessages.reply(request, request.path("arguments").path("tag").asText())).append("\r\n");
            }
            peer.send(replies.toString().getBytes(StandardCharsets.UTF_8));
            answered += batch.size();
        }
        return ids;
    }
}
