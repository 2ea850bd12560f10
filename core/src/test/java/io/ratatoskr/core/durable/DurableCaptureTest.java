package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.broker.AckBarrier;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.testkit.FaultyFileChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Capture of published messages by durable topics through the broker: filters, partitioning,
 * refusals and idempotent publish.
 */
class DurableCaptureTest extends DurableTopicsTestBase {
    Broker broker;

    @BeforeEach
    void openBroker() {
        startBroker();
    }

    private void startBroker() {
        broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), f.clock, new BrokerMetrics(f.registry));
        broker.addStore(f.topics);
    }

    /** Publishes through the broker and waits until the publisher may be acknowledged. */
    private AckBarrier publish(Message m) {
        AckBarrier barrier = new AckBarrier();
        broker.publish(m, null, barrier);
        barrier.done().join();
        return barrier;
    }

    private double routed() {
        return f.counter("ratatoskr.broker.messages.routed");
    }

    @Test
    void defaultFiltersCaptureTheNameAndEverythingBelowIt() {
        f.topics.create("sensors", TopicConfig.DEFAULTS);
        for (String t : List.of("sensors", "sensors/a", "sensors/a/b/c", "sensorsX", "other/sensors", "$SYS/sensors")) {
            publish(f.message(t, t));
        }
        assertThat(f.payloads("sensors", 0)).containsExactly("sensors", "sensors/a", "sensors/a/b/c");
        assertThat(f.counter("ratatoskr.durable.messages.appended")).isEqualTo(3);
    }

    @Test
    void customFiltersAndTwoTopicsCaptureOneMessageWithOneIdentifier() {
        f.topics.create("temperatures", TopicConfig.builder().filters(List.of("+/+/temp", "legacy/#")).build());
        f.topics.create("building", TopicConfig.DEFAULTS);

        AckBarrier barrier = publish(f.message("building/hall/temp", "21.5"));
        publish(f.message("legacy/x", "old"));
        publish(f.message("building/hall/humidity", "40"));

        assertThat(barrier.isEmpty()).isFalse();
        List<DurableMessage> temps = f.all("temperatures", 0);
        List<DurableMessage> building = f.all("building", 0);
        assertThat(temps).extracting(m -> TopicsFixture.text(m.message().payload())).containsExactly("21.5", "old");
        assertThat(building).extracting(m -> TopicsFixture.text(m.message().payload())).containsExactly("21.5", "40");
        assertThat(temps.get(0).id()).as("one message, one identifier").isEqualTo(building.get(0).id());
        assertThat(temps.get(0).message().topic()).isEqualTo("building/hall/temp");
        assertThat(temps.get(0).id().version()).isEqualTo(7);
    }

    @Test
    void messagesWithTheSameKeyGoToTheSamePartitionAcrossRestarts() {
        f.topics.create("orders", TopicConfig.builder().partitions(4).build());
        Set<Integer> partitionsUsed = new HashSet<>();
        for (int k = 0; k < 20; k++) {
            for (int i = 0; i < 3; i++) {
                f.topics.publish("orders", f.message("orders", "k" + k + "-" + i),
                        new PublishOptions("customer-" + k, null)).join();
            }
        }
        for (int p = 0; p < 4; p++) {
            for (DurableMessage m : f.all("orders", p)) {
                String key = new String(m.key(), StandardCharsets.UTF_8);
                int expected = Math.floorMod(LocalTopic.fnv1a32(m.key()), 4);
                assertThat(p).as("partition of %s", key).isEqualTo(expected);
                partitionsUsed.add(p);
            }
        }
        assertThat(partitionsUsed).as("20 keys spread over the partitions").hasSizeGreaterThan(1);

        f.reopen();
        startBroker();
        publish(f.message("orders", "again", PublishOptions.MESSAGE_KEY, "customer-7"));
        int p = Math.floorMod(LocalTopic.fnv1a32("customer-7".getBytes(StandardCharsets.UTF_8)), 4);
        assertThat(f.payloads("orders", p)).filteredOn(s -> s.startsWith("k7-") || s.equals("again"))
                .containsExactly("k7-0", "k7-1", "k7-2", "again");
    }

    @Test
    void messagesWithoutKeyFillOnePartitionThenTheNextInOrder() {
        f.topics.create("logs", TopicConfig.builder().partitions(3).build());
        // About 6 KiB each: the third of a run takes its partition past LocalTopic.STICKY_BYTES (16 KiB).
        String pad = ".".repeat(6000);
        for (int i = 0; i < 12; i++) {
            publish(f.message("logs", "m" + i + pad));
        }
        assertThat(names(f.payloads("logs", 0))).containsExactly("m0", "m1", "m2", "m9", "m10", "m11");
        assertThat(names(f.payloads("logs", 1))).containsExactly("m3", "m4", "m5");
        assertThat(names(f.payloads("logs", 2))).containsExactly("m6", "m7", "m8");
    }

    @Test
    void aBatchOfSmallKeylessMessagesIsOneAppendToOnePartition() {
        f.topics.create("logs", TopicConfig.builder().partitions(4).build());
        for (int batch = 0; batch < 3; batch++) {
            List<Message> messages = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                messages.add(f.message("logs", "b" + batch + "-" + i));
            }
            for (AppendOutcome o : f.topics.publishBatch("logs", messages)) {
                o.receipt().join();
            }
        }
        LocalTopic topic = (LocalTopic) f.topics.find("logs").orElseThrow();
        assertThat(topic.logPartitions()).extracting(p -> p.log().stats().appendedBatches())
                .as("24 small messages stay within one partition's share: one append per batch")
                .containsExactly(3L, 0L, 0L, 0L);
        assertThat(f.payloads("logs", 0)).hasSize(24).startsWith("b0-0", "b0-1").endsWith("b2-7");
    }

    @Test
    void keylessMessagesGiveEachPartitionAnEqualShareOfTheBytes() throws Exception {
        f.topics.create("logs", TopicConfig.builder().partitions(3).build());
        LocalTopic topic = (LocalTopic) f.topics.find("logs").orElseThrow();
        long seed = System.nanoTime();
        System.out.println("keylessMessagesGiveEachPartitionAnEqualShareOfTheBytes seed=" + seed);
        int maxBytes = 40_000;
        long[] bytes = new long[3];
        AtomicLongArray shared = new AtomicLongArray(3);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Random random = new Random(seed + t);
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 5_000; i++) {
                    int size = random.nextInt(4) == 0 ? 1 + random.nextInt(maxBytes) : 1 + random.nextInt(2_000);
                    shared.addAndGet(topic.keylessPartition(size, 3), size);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int p = 0; p < 3; p++) {
            bytes[p] = shared.get(p);
        }
        long total = bytes[0] + bytes[1] + bytes[2];
        // Each turn of a partition takes STICKY_BYTES and part of one record more, so the shares drift
        // apart only by how much those overshoots differ: about 2 % here at worst (simulated).
        for (int p = 0; p < 3; p++) {
            assertThat(bytes[p]).as("partition %d's bytes of %s (seed %d)", p, Arrays.toString(bytes), seed)
                    .isBetween(total * 30 / 100, total * 36 / 100);
        }
    }

    /** The leading name of each padded payload. */
    private static List<String> names(List<String> payloads) {
        return payloads.stream().map(s -> s.substring(0, s.indexOf('.'))).toList();
    }

    @Test
    void aTooLargeMessageIsRefusedBeforeAnythingIsStoredOrRouted() {
        f.topics.create("small", TopicConfig.builder().filters(List.of("data/#")).maxMessageBytes(8).build());
        f.topics.create("large", TopicConfig.builder().filters(List.of("data/#")).build());
        Message big = new Message("data/x", new byte[9], 1, true, f.message("data/x", "").properties(), "c",
                f.clock.millis());

        assertRefused(() -> broker.publish(big, null, new AckBarrier()), ErrorCode.MESSAGE_TOO_LARGE);

        assertThat(f.topics.describe("large").messages()).as("the other topic stored nothing either").isZero();
        assertThat(broker.retained().size()).as("not retained").isZero();
        assertThat(routed()).as("not routed").isZero();
        assertThat(f.counter("ratatoskr.durable.messages.refused", "reason", "message_too_large")).isEqualTo(1);
        publish(f.message("data/x", "8 bytes!"));
        assertThat(f.topics.describe("small").messages()).isEqualTo(1);
    }

    @Test
    void aCompactedTopicRefusesAMessageWithoutKey() {
        f.topics.create("state", TopicConfig.builder().cleanupPolicy(CleanupPolicy.COMPACT).build());
        assertRefused(() -> broker.publish(f.message("state", "v"), null, new AckBarrier()),
                ErrorCode.MESSAGE_KEY_REQUIRED);
        publish(f.message("state", "v", PublishOptions.MESSAGE_KEY, "device-1"));
        assertThat(f.payloads("state", 0)).containsExactly("v");
    }

    @Test
    void aKeylessPublishRacingWithAnAlterToCompactionIsRefusedAndFreesItsIdempotencyKey() {
        f.topics.create("state", TopicConfig.DEFAULTS);
        LocalTopic topic = f.topics.require("state");
        Message tombstoneLike = f.message("state", "");
        PublishOptions options = new PublishOptions(null, "tx-1");
        topic.checkAcceptable(tombstoneLike, options); // passes: the topic does not compact yet
        f.topics.alter("state", TopicConfig.builder().cleanupPolicy(CleanupPolicy.COMPACT).build());

        AppendOutcome appended = topic.append(tombstoneLike, java.util.UUID.randomUUID(), options,
                f.clock.millis());

        assertThat(appended.receipt()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withMessageContaining("every message needs a key");
        PublishReceipt retry = f.topics.publish("state", f.message("state", "v"), new PublishOptions("k", "tx-1"))
                .join();
        assertThat(retry.duplicate()).as("the refused publish did not keep its idempotency key").isFalse();
    }

    @Test
    void anIdempotentRepeatIsStoredOnceAckedWithTheFirstPositionAndNotRoutedAgainEvenAfterARestart() {
        f.topics.create("payments", TopicConfig.builder().partitions(2).build());
        PublishReceipt original = f.topics.publish("payments", f.message("payments", "pay 10"),
                new PublishOptions(null, "tx-1")).join();
        assertThat(original.duplicate()).isFalse();

        double routedBefore = routed();
        publish(f.message("payments", "pay 10", PublishOptions.IDEMPOTENCY_KEY, "tx-1"));
        assertThat(routed()).as("an MQTT repeat is acknowledged but not routed again").isEqualTo(routedBefore);
        PublishReceipt again = f.topics.publish("payments", f.message("payments", "pay 10"),
                new PublishOptions(null, "tx-1")).join();
        assertThat(again).isEqualTo(original.asDuplicate());
        assertThat(f.topics.describe("payments").messages()).isEqualTo(1);
        assertThat(f.counter("ratatoskr.durable.messages.duplicates")).isEqualTo(2);

        f.clock.advanceMs(60_000);
        f.reopen();
        startBroker();
        PublishReceipt afterRestart = f.topics.publish("payments", f.message("payments", "pay 10"),
                new PublishOptions(null, "tx-1")).join();
        assertThat(afterRestart).as("the window was rebuilt from the log").isEqualTo(original.asDuplicate());
        assertThat(f.topics.describe("payments").messages()).isEqualTo(1);

        f.clock.advanceMs(61_000);
        PublishReceipt late = f.topics.publish("payments", f.message("payments", "pay 10"),
                new PublishOptions(null, "tx-1")).join();
        assertThat(late.duplicate()).as("after the 2-minute window the key is new again").isFalse();
        assertThat(f.topics.describe("payments").messages()).isEqualTo(2);
    }

    @Test
    void theWindowRebuiltAtARestartKeepsKeysOfMessagesWhoseTtlHasPassed() {
        f.topics.create("payments", TopicConfig.builder().defaultTtlMs(10_000).build());
        PublishReceipt original = f.topics.publish("payments", f.message("payments", "pay 10"),
                new PublishOptions(null, "tx-1")).join();
        f.clock.advanceMs(30_000);
        assertThat(f.topics.publish("payments", f.message("payments", "pay 10"), new PublishOptions(null, "tx-1"))
                .join()).as("expired for consumers, still within the 2-minute dedupe window")
                .isEqualTo(original.asDuplicate());

        f.reopen();

        assertThat(f.topics.publish("payments", f.message("payments", "pay 10"), new PublishOptions(null, "tx-1"))
                .join()).as("the same answer after a restart").isEqualTo(original.asDuplicate());
    }

    @Test
    void aRepeatOfAnAppendNotYetDurableWaitsForIt() {
        FaultyFileChannel.Faults faults = new FaultyFileChannel.Faults();
        f.withChannels((path, options) -> new FaultyFileChannel(FileChannel.open(path, options), faults));
        startBroker();
        f.topics.create("payments", TopicConfig.DEFAULTS);
        faults.holdForce(true);

        CompletableFuture<PublishReceipt> first = f.topics.publish("payments", f.message("payments", "a"),
                new PublishOptions(null, "tx-9"));
        CompletableFuture<PublishReceipt> repeat = f.topics.publish("payments", f.message("payments", "a"),
                new PublishOptions(null, "tx-9"));
        AckBarrier mqttRepeat = new AckBarrier();
        int routedRepeat = broker.publish(f.message("payments", "a", PublishOptions.IDEMPOTENCY_KEY, "tx-9"), null,
                mqttRepeat);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> faults.forcesHeld() > 0);
        assertThat(first).isNotDone();
        assertThat(repeat).as("the repeat waits for the first append").isNotDone();
        assertThat(mqttRepeat.done()).isNotDone();
        assertThat(routedRepeat).isZero();

        faults.holdForce(false);
        assertThat(repeat.join()).isEqualTo(first.join().asDuplicate());
        mqttRepeat.done().join();
        assertThat(f.topics.describe("payments").messages()).isEqualTo(1);
    }

    @Test
    void rememberedKeysAreBoundedAndTheOldestAreForgottenFirst() {
        f.close();
        f = new TopicsFixture(dir, DurableTopicsConfig.DEFAULTS.withDedupeMaxKeys(3));
        f.topics.create("t", TopicConfig.DEFAULTS);
        for (int i = 0; i < 5; i++) {
            f.topics.publish("t", f.message("t", "m" + i), new PublishOptions(null, "key-" + i)).join();
        }
        assertThat(f.counter("ratatoskr.durable.dedupe.evictions")).isEqualTo(2);
        assertThat(f.topics.publish("t", f.message("t", "m0"), new PublishOptions(null, "key-0")).join().duplicate())
                .as("evicted: stored again").isFalse();
        assertThat(f.topics.publish("t", f.message("t", "m4"), new PublishOptions(null, "key-4")).join().duplicate())
                .isTrue();
    }

    @Test
    void anIdempotencyKeyOfMoreThan256BytesIsRefusedBeforeAnythingIsStoredOrRouted() {
        // Remembered keys are bounded in number; bounding their length bounds the window's memory.
        f.topics.create("payments", TopicConfig.DEFAULTS);
        String tooLong = "\u00e9".repeat(129); // 258 bytes of UTF-8
        assertRefused(() -> broker.publish(f.message("payments", "x", PublishOptions.IDEMPOTENCY_KEY, tooLong), null,
                new AckBarrier()), ErrorCode.IDEMPOTENCY_KEY_TOO_LONG);
        assertThat(f.topics.publish("payments", f.message("payments", "x"), new PublishOptions(null, tooLong)))
                .failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withMessageContaining("idempotency key of 258 bytes");
        assertThat(routed()).as("not routed").isZero();
        assertThat(f.topics.describe("payments").messages()).isZero();
        assertThat(f.counter("ratatoskr.durable.messages.refused", "reason", "idempotency_key_too_long"))
                .isEqualTo(2);

        String longest = "\u00e9".repeat(128);
        publish(f.message("payments", "y", PublishOptions.IDEMPOTENCY_KEY, longest));
        assertThat(f.topics.publish("payments", f.message("payments", "y"), new PublishOptions(null, longest)).join()
                .duplicate()).isTrue();
    }

    @Test
    void aKeyWhoseFirstAppendIsStillRunningIsNotEvictedSoItsRepeatIsStoredOnce() {
        f.close();
        f = new TopicsFixture(dir, DurableTopicsConfig.DEFAULTS.withDedupeMaxKeys(1));
        FaultyFileChannel.Faults faults = new FaultyFileChannel.Faults();
        f.withChannels((path, options) -> new FaultyFileChannel(FileChannel.open(path, options), faults));
        f.topics.create("payments", TopicConfig.DEFAULTS);
        faults.holdForce(true);

        CompletableFuture<PublishReceipt> first = f.topics.publish("payments", f.message("payments", "a"),
                new PublishOptions(null, "tx-1"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> faults.forcesHeld() > 0);
        CompletableFuture<PublishReceipt> other = f.topics.publish("payments", f.message("payments", "b"),
                new PublishOptions(null, "tx-2"));
        CompletableFuture<PublishReceipt> repeat = f.topics.publish("payments", f.message("payments", "a"),
                new PublishOptions(null, "tx-1"));
        faults.holdForce(false);

        assertThat(repeat.join()).as("the repeat waited for the first append").isEqualTo(first.join().asDuplicate());
        assertThat(other.join().duplicate()).isFalse();
        assertThat(f.payloads("payments", 0)).containsExactly("a", "b");
        assertThat(f.counter("ratatoskr.durable.dedupe.evictions")).as("tx-2 could not be remembered").isEqualTo(1);
    }

    @Test
    void explicitPublishNeedsAnExistingTopicUnlessAutoCreationIsOn() {
        assertThat(f.topics.publish("nope", f.message("x", "m"), PublishOptions.NONE))
                .failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withMessageContaining("durable topic 'nope' does not exist");
        assertThat(f.counter("ratatoskr.durable.messages.refused", "reason", "topic_not_found")).isEqualTo(1);
        f.close();
        f = new TopicsFixture(dir, DurableTopicsConfig.DEFAULTS.withAutoCreate(true,
                TopicConfig.builder().partitions(2).build()));
        PublishReceipt r = f.topics.publish("auto", f.message("x", "m"), PublishOptions.NONE).join();
        assertThat(r.offset()).isZero();
        assertThat(f.topics.describe("auto").config().partitions()).isEqualTo(2);
    }
}
