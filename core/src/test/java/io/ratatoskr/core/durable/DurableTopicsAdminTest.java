package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.testkit.FaultyFileChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Creating, changing, deleting and describing durable topics, and what a restart keeps of them. */
class DurableTopicsAdminTest extends DurableTopicsTestBase {

    @Test
    void topicsAndTheirConfigurationSurviveARestart() {
        TopicConfig orders = TopicConfig.builder().partitions(3).filters(List.of("shop/+/orders", "legacy/orders"))
                .retentionMaxAgeMs(3_600_000).retentionMaxMessages(1_000).durability(DurabilityMode.GROUP)
                .dedupeWindowMs(30_000).build();
        f.topics.create("orders", orders);
        f.topics.create("metrics", TopicConfig.DEFAULTS);

        DurableTopics reopened = f.reopen();

        assertThat(reopened.list()).extracting(TopicInfo::name).containsExactly("metrics", "orders");
        TopicInfo info = reopened.describe("orders");
        assertThat(info.config()).isEqualTo(orders);
        assertThat(info.filters()).containsExactly("shop/+/orders", "legacy/orders");
        assertThat(info.generation()).isEqualTo(1);
        assertThat(info.createdAtMs()).isEqualTo(TopicsFixture.START_MS);
        assertThat(info.partitions()).extracting(PartitionSnapshot::partition).containsExactly(0, 1, 2);
        assertThat(reopened.describe("metrics").filters()).containsExactly("metrics", "metrics/#");
        assertThat(dir.resolve("orders/topic.def")).exists();
        assertThat(dir.resolve("orders/2")).isDirectory();
    }

    @Test
    void alterAddsPartitionsChangesSettingsPersistsAndNeverShrinks() {
        f.topics.create("orders", TopicConfig.builder().partitions(1).build());
        f.topics.publish("orders", f.message("orders", "before"), PublishOptions.NONE).join();

        TopicConfig changed = TopicConfig.builder().partitions(3).filters(List.of("shop/orders"))
                .retentionMaxAgeMs(60_000).maxMessageBytes(10).build();
        TopicInfo info = f.topics.alter("orders", changed);

        assertThat(info.generation()).isEqualTo(2);
        assertThat(info.partitions()).hasSize(3);
        assertThat(f.topics.find("orders").orElseThrow().partitions()).hasSize(3);
        LogConfig log = f.topics.partition("orders", 0).log().config();
        assertThat(log.retentionMaxAgeMs()).as("the log was reopened with the new retention").isEqualTo(60_000);
        assertThat(f.payloads("orders", 0)).as("data kept across the reopen").containsExactly("before");
        // New filters apply at once; the old default ones no longer capture.
        assertThat(f.topics.store(f.message("orders", "old filter"), null)).isTrue();
        f.topics.store(f.message("shop/orders", "new filter"), null);
        // The new max size applies at once.
        assertRefused(() -> f.topics.store(f.message("shop/orders", "far too long"), null),
                ErrorCode.MESSAGE_TOO_LARGE);

        DurableTopics reopened = f.reopen();
        assertThat(reopened.describe("orders").config()).isEqualTo(changed);
        assertThat(reopened.describe("orders").generation()).isEqualTo(2);
        assertRefused(() -> reopened.alter("orders", changed.toBuilder().partitions(2).build()),
                ErrorCode.INVALID_TOPIC_CONFIG);
        long stored = reopened.describe("orders").messages();
        assertThat(stored).as("'before' and 'new filter'; not the message on the old filter").isEqualTo(2);
    }

    @Test
    void aReadRunningWhileAnAlterReopensThePartitionCarriesOnInTheReopenedLog() {
        FaultyFileChannel.Faults faults = new FaultyFileChannel.Faults();
        f.withChannels((path, options) -> new FaultyFileChannel(FileChannel.open(path, options), faults));
        f.topics.create("orders", TopicConfig.DEFAULTS);
        for (int i = 0; i < 3; i++) {
            f.topics.publish("orders", f.message("orders", "m" + i), PublishOptions.NONE).join();
        }
        faults.holdNextRead();
        CompletableFuture<ReadBatch> read = CompletableFuture.supplyAsync(
                () -> f.topics.read("orders", 0, 0, 100, 1 << 20));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(faults::readHeld);

        f.topics.alter("orders", TopicConfig.builder().retentionMaxAgeMs(60_000).build());
        faults.releaseRead();

        assertThat(read).succeedsWithin(Duration.ofSeconds(5))
                .satisfies(b -> assertThat(b.messages()).extracting(m -> TopicsFixture.text(m.message().payload()))
                        .containsExactly("m0", "m1", "m2"));
    }

    @Test
    void publishesDuringAnAlterDoNotWaitForItAndLandInTheReopenedLogInOrder() {
        FaultyFileChannel.Faults partitionDisk = new FaultyFileChannel.Faults();
        Path partitionDir = dir.resolve("orders").resolve("0");
        f.withChannels((path, options) -> new FaultyFileChannel(FileChannel.open(path, options),
                path.startsWith(partitionDir) ? partitionDisk : new FaultyFileChannel.Faults()));
        f.topics.create("orders", TopicConfig.DEFAULTS);
        f.topics.publish("orders", f.message("orders", "m0"), PublishOptions.NONE).join();
        partitionDisk.holdForce(true);
        CompletableFuture<TopicInfo> alter = CompletableFuture.supplyAsync(
                () -> f.topics.alter("orders", TopicConfig.builder().retentionMaxAgeMs(60_000).build()));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partitionDisk.forcesHeld() > 0);

        // The reopen is closing the old log. A publisher (an event loop) must not wait for it.
        CompletableFuture<List<CompletableFuture<PublishReceipt>>> publishing = CompletableFuture.supplyAsync(
                () -> List.of(f.topics.publish("orders", f.message("orders", "m1"), PublishOptions.NONE),
                        f.topics.publish("orders", f.message("orders", "m2"), PublishOptions.NONE)));
        try {
            assertThat(publishing).as("publish returns while the alter runs").succeedsWithin(Duration.ofSeconds(5));
            assertThat(alter).isNotDone();
        } finally {
            partitionDisk.holdForce(false);
        }

        assertThat(alter).succeedsWithin(Duration.ofSeconds(5));
        for (CompletableFuture<PublishReceipt> r : publishing.join()) {
            assertThat(r).succeedsWithin(Duration.ofSeconds(5));
        }
        assertThat(f.payloads("orders", 0)).containsExactly("m0", "m1", "m2");
        assertThat(f.topics.partition("orders", 0).log().config().retentionMaxAgeMs()).isEqualTo(60_000);
    }

    @Test
    void deleteRemovesTheFilesAndConsumersSeeIt() {
        f.topics.create("gone", TopicConfig.builder().partitions(2).build());
        f.topics.publish("gone", f.message("gone", "x"), PublishOptions.NONE).join();
        f.topics.commitOffset("gone", "reader", 0, 0).join();
        TopicDirectory.DurableTopic held = f.topics.find("gone").orElseThrow();

        f.topics.delete("gone");

        assertThat(held.isDeleted()).isTrue();
        assertThat(dir.resolve("gone")).doesNotExist();
        assertRefused(() -> f.topics.describe("gone"), ErrorCode.TOPIC_NOT_FOUND);
        assertThat(f.topics.store(f.message("gone", "after"), null)).as("no longer captured").isTrue();
        DurableTopics reopened = f.reopen();
        assertThat(reopened.exists("gone")).isFalse();
        reopened.create("gone", TopicConfig.DEFAULTS);
        assertThat(reopened.describe("gone").messages()).as("a new topic of the same name starts empty").isZero();
        assertThat(reopened.committedOffset("gone", "reader", 0)).as("old offsets forgotten").isEmpty();
    }

    @Test
    void aTopicCreatedAgainAfterADeleteCutShortByACrashStartsWithoutTheOldCommittedOffsets() throws Exception {
        f.topics.create("gone", TopicConfig.DEFAULTS);
        for (int i = 0; i < 3; i++) {
            f.topics.publish("gone", f.message("gone", "old " + i), PublishOptions.NONE).join();
        }
        f.topics.commitOffset("gone", "reader", 0, 3).join();
        f.topics.commitOffset("gone", DeadLetters.REPLAY_CURSOR, 0, 2).join();
        f.topics.close();
        // What a crash leaves right after delete's atomic move into .trash, before the offsets are forgotten.
        Files.createDirectories(dir.resolve(".trash"));
        Files.move(dir.resolve("gone"), dir.resolve(".trash/gone-1"));

        DurableTopics reopened = f.reopen();
        assertThat(reopened.exists("gone")).isFalse();
        reopened.create("gone", TopicConfig.DEFAULTS);
        for (int i = 0; i < 5; i++) {
            reopened.publish("gone", f.message("gone", "new " + i), PublishOptions.NONE).join();
        }

        assertThat(reopened.committedOffset("gone", "reader", 0))
                .as("a consumer of the new topic must not skip its first messages").isEmpty();
        assertThat(reopened.committedOffsets("gone")).isEmpty();
        assertThat(f.reopen().committedOffset("gone", DeadLetters.REPLAY_CURSOR, 0)).as("nor after a restart")
                .isEmpty();
    }

    @Test
    void namesFiltersAndDuplicatesAreRefusedWithTheirCodes() {
        for (String bad : List.of("a/b", "", ".hidden", "..", "x".repeat(201), "white space", "ü")) {
            assertRefused(() -> f.topics.create(bad, TopicConfig.DEFAULTS), ErrorCode.INVALID_TOPIC_NAME);
        }
        for (String filter : List.of("$SYS/#", "$share/g/a", "a/#/b", "a+/b")) {
            assertRefused(() -> f.topics.create("t", TopicConfig.builder().filters(List.of(filter)).build()),
                    ErrorCode.INVALID_TOPIC_CONFIG);
        }
        f.topics.create("Valid-name_1.0", TopicConfig.DEFAULTS);
        assertRefused(() -> f.topics.create("Valid-name_1.0", TopicConfig.DEFAULTS), ErrorCode.TOPIC_EXISTS);
        assertRefused(() -> f.topics.alter("missing", TopicConfig.DEFAULTS), ErrorCode.TOPIC_NOT_FOUND);
        assertRefused(() -> f.topics.delete("missing"), ErrorCode.TOPIC_NOT_FOUND);
        assertThat(f.topics.list()).hasSize(1);
    }

    @Test
    void topicAndPartitionLimitsAreEnforced() {
        f.close();
        f = new TopicsFixture(dir, DurableTopicsConfig.DEFAULTS.withLimits(2, 5));
        f.topics.create("a", TopicConfig.builder().partitions(2).build());
        assertRefused(() -> f.topics.create("b", TopicConfig.builder().partitions(4).build()),
                ErrorCode.TOPIC_LIMIT_REACHED);
        f.topics.create("b", TopicConfig.builder().partitions(3).build());
        assertRefused(() -> f.topics.create("c", TopicConfig.DEFAULTS), ErrorCode.TOPIC_LIMIT_REACHED);
        assertRefused(() -> f.topics.alter("a", TopicConfig.builder().partitions(3).build()),
                ErrorCode.TOPIC_LIMIT_REACHED);
    }

    @Test
    void aCorruptDefinitionStopsTheOpenInsteadOfLosingTheTopic() throws Exception {
        f.topics.create("orders", TopicConfig.DEFAULTS);
        f.topics.close();
        Path def = dir.resolve("orders/topic.def");
        String text = Files.readString(def);
        Files.writeString(def, text.replace("partitions=1", "partitions=9"));

        assertThatThrownBy(() -> f.reopen()).hasMessageContaining("checksum");
        assertThat(def).as("nothing was removed").exists();
        Files.writeString(def, text);
        assertThat(f.reopen().exists("orders")).isTrue();
    }

    @Test
    void aCreateWhosePartitionCannotBeOpenedLeavesNoTopicEvenAfterARestart() {
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
        Path partitionDir = dir.resolve("t").resolve("1");
        f.withChannels((path, options) -> {
            if (refuse.get() && path.startsWith(partitionDir)) {
                throw new java.io.IOException("Too many open files (injected)");
            }
            return FileChannel.open(path, options);
        });

        assertThatThrownBy(() -> f.topics.create("t", TopicConfig.builder().partitions(2).build()))
                .hasMessageContaining("Too many open files");

        assertThat(f.topics.exists("t")).isFalse();
        assertThat(dir.resolve("t")).as("nothing left behind").doesNotExist();
        refuse.set(false);
        assertThat(f.reopen().exists("t")).as("not there after a restart either").isFalse();
        f.topics.create("t", TopicConfig.builder().partitions(2).build());
        assertThat(f.topics.describe("t").partitions()).hasSize(2);
    }

    @Test
    void aCreateCutShortByACrashLeavesNoTopic() throws Exception {
        Files.createDirectories(dir.resolve("half/0"));

        DurableTopics reopened = f.reopen();

        assertThat(reopened.exists("half")).isFalse();
        assertThat(dir.resolve("half")).doesNotExist();
        reopened.create("half", TopicConfig.DEFAULTS);
        assertThat(reopened.exists("half")).isTrue();
    }

    @Test
    void describeReportsEveryPartitionAndTotals() {
        f.topics.create("t", TopicConfig.builder().partitions(2).cleanupPolicy(CleanupPolicy.DELETE).build());
        long[] expected = new long[2];
        for (int i = 0; i < 5; i++) {
            String key = "k" + i;
            f.topics.publish("t", f.message("t", "m" + i), new PublishOptions(key, null)).join();
            expected[Math.floorMod(LocalTopic.fnv1a32(key.getBytes(StandardCharsets.UTF_8)), 2)]++;
        }
        TopicInfo info = f.topics.describe("t");
        assertThat(info.messages()).isEqualTo(5);
        assertThat(expected).as("the keys use both partitions").doesNotContain(0L);
        assertThat(info.partitions()).extracting(PartitionSnapshot::endOffset).containsExactly(expected[0], expected[1]);
        assertThat(info.sizeBytes()).isPositive();
        assertThat(info.healthy()).isTrue();
        assertThat(f.topics.partitionSnapshots()).hasSize(2);
        assertThat(f.topics.failedPartitions()).isEmpty();
    }
}
