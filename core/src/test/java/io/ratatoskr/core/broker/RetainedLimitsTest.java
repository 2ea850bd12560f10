package io.ratatoskr.core.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.testkit.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The retained limits hold exactly under concurrent publishers: room is reserved when a publish is
 * admitted, so no two publishers can both take the last slot or the last bytes.
 */
class RetainedLimitsTest {
    private static final int THREADS = 8;

    private static Message retained(String topic, int bytes, String publisher) {
        return new Message(topic, new byte[bytes], 1, true, MessageProperties.EMPTY, publisher, 0);
    }

    /** Every thread publishes {@code perThread} retained messages to topics of its own, all at once. */
    private static int publishConcurrently(Broker broker, int perThread, int bytes) throws Exception {
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        try {
                            broker.publish(retained("r/" + thread + "/" + i, bytes, "client-" + thread));
                        } catch (RatatoskrException e) {
                            assertThat(e.code()).isEqualTo(ErrorCode.RETAINED_LIMIT_REACHED);
                            refused.incrementAndGet();
                        }
                    }
                }, pool));
            }
            go.countDown();
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        return refused.get();
    }

    @Test
    void concurrentPublishersNeverTakeTheStoreOverItsMessageLimit() throws Exception {
        for (int round = 0; round < 20; round++) {
            Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0).withRetainedLimits(100, 0),
                    new ManualClock(0), new BrokerMetrics(new SimpleMeterRegistry()));
            int refused = publishConcurrently(broker, 50, 10);
            assertThat(broker.retained().size()).as("round %d", round).isEqualTo(100);
            assertThat(refused).isEqualTo(THREADS * 50 - 100);
        }
    }

    @Test
    void concurrentPublishersNeverTakeTheStoreOverItsByteLimit() throws Exception {
        for (int round = 0; round < 20; round++) {
            Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0).withRetainedLimits(0, 10_000),
                    new ManualClock(0), new BrokerMetrics(new SimpleMeterRegistry()));
            int refused = publishConcurrently(broker, 50, 100);
            assertThat(broker.retained().payloadBytes()).as("round %d", round).isEqualTo(10_000);
            assertThat(refused).isEqualTo(THREADS * 50 - 100);
        }
    }

    @Test
    void roomOfAPublishAStoreRefusesIsGivenBack() {
        Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0).withRetainedLimits(1, 0),
                new ManualClock(0), new BrokerMetrics(new SimpleMeterRegistry()));
        broker.addStore(refusingTopic("refused/topic"));
        for (int i = 0; i < 3; i++) {
            try {
                broker.publish(retained("refused/topic", 10, "c"));
            } catch (RatatoskrException expected) {
                assertThat(expected.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            }
        }
        broker.publish(retained("kept", 10, "c"));
        assertThat(broker.retained().size()).as("the refused publishes left no reservation behind").isEqualTo(1);
    }

    private static PublishStore refusingTopic(String topic) {
        return (message, barrier) -> {
            if (message.topic().equals(topic)) {
                throw ErrorCode.INVALID_ARGUMENT.exception("refused by the store");
            }
            return true;
        };
    }
}
