package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.broker.AckBarrier;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.session.ThreadSessionLoop;
import io.ratatoskr.log.DurabilityMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Durable publishes made on a loop in one piece of its work (one read burst) are gathered into one log
 * append per partition, and each publisher's acknowledgement still waits until its message is durable.
 */
class PublishBurstTest extends DurableTopicsTestBase {

    private Broker broker() {
        Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), f.clock,
                new BrokerMetrics(f.registry));
        broker.addStore(f.topics);
        return broker;
    }

    /**
     * Publishes {@code count} messages {@code "m<i>"} to {@code topic} in one task of {@code loop}, each
     * with key {@code "k<i>"} when {@code keyed}; returns their writes.
     */
    private static List<CompletableFuture<Void>> publishInOneTask(Broker broker, ThreadSessionLoop loop,
                                                                  TopicsFixture f, String topic, int count,
                                                                  boolean keyed) {
        CompletableFuture<List<CompletableFuture<Void>>> done = new CompletableFuture<>();
        loop.execute(() -> {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                AckBarrier barrier = new AckBarrier();
                barrier.gatherOn(loop);
                Message m = keyed ? f.message(topic, "m" + i, PublishOptions.MESSAGE_KEY, "k" + i)
                        : f.message(topic, "m" + i);
                broker.publish(m, null, barrier);
                writes.add(barrier.done());
            }
            done.complete(writes);
        });
        return done.join();
    }

    private static List<CompletableFuture<Void>> publishInOneTask(Broker broker, ThreadSessionLoop loop,
                                                                  TopicsFixture f, String topic, int count) {
        return publishInOneTask(broker, loop, f, topic, count, false);
    }

    @Test
    void publishesOfOneLoopTaskBecomeOneAppendPerPartitionInOrder() {
        f.topics.create("orders", TopicConfig.builder().partitions(2).build());
        Broker broker = broker();
        try (ThreadSessionLoop loop = new ThreadSessionLoop("burst-test")) {
            List<CompletableFuture<Void>> writes = publishInOneTask(broker, loop, f, "orders/eu", 40, true);
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        }
        List<List<String>> expected = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < 40; i++) {
            int p = Math.floorMod(LocalTopic.fnv1a32(("k" + i).getBytes(StandardCharsets.UTF_8)), 2);
            expected.get(p).add("m" + i);
        }
        LocalTopic topic = (LocalTopic) f.topics.find("orders").orElseThrow();
        for (LogPartition p : topic.logPartitions()) {
            assertThat(p.log().stats().appendedBatches()).as("appends to partition %d", p.id()).isEqualTo(1);
            assertThat(p.log().stats().appendedRecords()).isEqualTo(expected.get(p.id()).size());
            // Each partition holds its keys' messages in publish order.
            assertThat(f.payloads("orders", p.id())).containsExactlyElementsOf(expected.get(p.id()));
        }
        assertThat(expected).allSatisfy(e -> assertThat(e).as("the keys use both partitions").isNotEmpty());
    }

    @Test
    void anAcknowledgementWaitsUntilTheGatheredAppendHoldingItsMessageIsDurable() {
        for (DurabilityMode mode : List.of(DurabilityMode.FSYNC, DurabilityMode.GROUP)) {
            String name = "t-" + mode.name().toLowerCase();
            f.topics.create(name, TopicConfig.builder().durability(mode).build());
            LogPartition partition = ((LocalTopic) f.topics.find(name).orElseThrow()).partition(0);
            Broker broker = broker();
            ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<Void>> checked = new ArrayList<>();
            try (ThreadSessionLoop loop = new ThreadSessionLoop("burst-test")) {
                List<CompletableFuture<Void>> writes = publishInOneTask(broker, loop, f, name, 100);
                for (int i = 0; i < writes.size(); i++) {
                    int n = i;
                    // The high watermark moves only once the records below it are fsync'd (FSYNC, GROUP):
                    // when the publisher may be acknowledged, message n must be below it.
                    checked.add(writes.get(i).thenRun(() -> {
                        if (partition.endOffset() <= n) {
                            early.add("m" + n + " acknowledged at high watermark " + partition.endOffset());
                        }
                    }));
                }
                CompletableFuture.allOf(checked.toArray(CompletableFuture[]::new)).join();
            }
            assertThat(early).as(mode + ": acknowledged before durable").isEmpty();
            assertThat(f.payloads(name, 0)).hasSize(100);
        }
    }

    @Test
    void publishesOffTheLoopAreAppendedAtOnce() {
        f.topics.create("orders", TopicConfig.DEFAULTS);
        Broker broker = broker();
        try (ThreadSessionLoop loop = new ThreadSessionLoop("burst-test")) {
            // Not on the loop's thread: nothing would flush a gathered batch, so the append goes now.
            AckBarrier barrier = new AckBarrier();
            barrier.gatherOn(loop);
            broker.publish(f.message("orders", "alone"), null, barrier);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> barrier.done().isDone());
        }
        assertThat(f.payloads("orders", 0)).containsExactly("alone");
    }
}
