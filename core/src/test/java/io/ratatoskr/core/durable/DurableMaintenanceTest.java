package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.CompactionResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retention, compaction and message TTL of durable topics, run by hand with a manual clock (a
 * server's scheduler runs the same passes in the background).
 */
class DurableMaintenanceTest extends DurableTopicsTestBase {

    private void append(String topic, String payload, String key) {
        f.topics.publish(topic, f.message(topic, payload), new PublishOptions(key, null)).join();
    }

    private void roll(String topic) {
        f.topics.partition(topic, 0).log().roll();
    }

    @Test
    void retentionByAgeDeletesOldSegmentsAndMovesTheStart() {
        f.topics.create("events", TopicConfig.builder().retentionMaxAgeMs(60_000).build());
        for (int i = 0; i < 3; i++) {
            append("events", "old" + i, null);
        }
        roll("events");
        f.clock.advanceMs(61_000);
        append("events", "new0", null);
        append("events", "new1", null);

        int deleted = f.topics.partition("events", 0).log().enforceRetention();

        assertThat(deleted).isEqualTo(1);
        assertThat(f.topics.resolve("events", 0, StartPosition.EARLIEST)).isEqualTo(3);
        ReadBatch fromZero = f.topics.read("events", 0, 0, 100, 1 << 20);
        assertThat(fromZero.startOffset()).isEqualTo(3);
        assertThat(fromZero.messages()).extracting(DurableMessage::offset).containsExactly(3L, 4L);
        assertThat(f.topics.describe("events").messages()).isEqualTo(2);
        assertThat(f.reopen().resolve("events", 0, StartPosition.EARLIEST)).as("after a restart too").isEqualTo(3);
    }

    @Test
    void retentionByMessageCountKeepsAtLeastTheLimit() {
        f.topics.create("events", TopicConfig.builder().retentionMaxMessages(4).build());
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 3; i++) {
                append("events", "s" + s + "m" + i, null);
            }
            roll("events");
        }

        f.topics.partition("events", 0).log().enforceRetention();

        assertThat(f.payloads("events", 0)).containsExactly("s1m0", "s1m1", "s1m2", "s2m0", "s2m1", "s2m2");
    }

    @Test
    void compactionKeepsTheLatestMessagePerKeyAndAnEmptyPayloadDeletesItsKey() {
        f.topics.create("devices", TopicConfig.builder().cleanupPolicy(CleanupPolicy.COMPACT).build());
        append("devices", "a1", "a");
        append("devices", "b1", "b");
        append("devices", "a2", "a");
        append("devices", "c1", "c");
        append("devices", "", "b");
        append("devices", "a3", "a");
        roll("devices");
        append("devices", "d1", "d");
        f.clock.advanceMs(121_000); // past the compaction lag: the topic's 2-minute dedupe window

        CompactionResult result = f.topics.partition("devices", 0).log().compact();

        assertThat(result.recordsRemoved()).isEqualTo(3);
        List<DurableMessage> left = f.all("devices", 0);
        assertThat(left).extracting(m -> new String(m.key(), StandardCharsets.UTF_8) + "="
                + TopicsFixture.text(m.message().payload())).containsExactly("c=c1", "b=", "a=a3", "d=d1");
        DurableMessage tombstone = left.get(1);
        assertThat(tombstone.message().topic()).as("a tombstone reads back as the message it was")
                .isEqualTo("devices");
        assertThat(tombstone.offset()).isEqualTo(4);
        assertThat(f.reopen().read("devices", 0, 0, 100, 1 << 20).messages()).hasSize(4);
    }

    @Test
    void compactionKeepsARecordWhileItsIdempotencyKeyIsInTheDedupeWindowSoARetryAfterARestartIsNoStaleWrite() {
        f.topics.create("devices", TopicConfig.builder().cleanupPolicy(CleanupPolicy.COMPACT).build());
        PublishReceipt v1 = f.topics.publish("devices", f.message("devices", "v1"), new PublishOptions("d", "set-v1"))
                .join();
        append("devices", "v2", "d");
        roll("devices");
        append("devices", "x1", "x");
        f.clock.advanceMs(61_000);
        f.topics.partition("devices", 0).log().compact();

        f.reopen();
        PublishReceipt retry = f.topics.publish("devices", f.message("devices", "v1"),
                new PublishOptions("d", "set-v1")).join();

        assertThat(retry).as("the retry of v1, 61 s later, is still a repeat").isEqualTo(v1.asDuplicate());
        assertThat(f.payloads("devices", 0)).as("v1 does not come back over v2").endsWith("v2", "x1");
    }

    @Test
    void messagesPastTheTopicTtlAreNotReadAnyMore() {
        f.topics.create("ticks", TopicConfig.builder().defaultTtlMs(10_000).build());
        append("ticks", "early", null);
        f.clock.advanceMs(6_000);
        append("ticks", "late", null);
        f.clock.advanceMs(6_000);

        assertThat(f.payloads("ticks", 0)).containsExactly("late");
    }
}
