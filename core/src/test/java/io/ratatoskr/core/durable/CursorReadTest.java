package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.message.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cursor consumers: where they start, how they read, and the offsets they commit. */
class CursorReadTest extends DurableTopicsTestBase {

    @BeforeEach
    void publishTicks() {
        f.topics.create("ticks", TopicConfig.builder().partitions(2).build());
        for (int i = 0; i < 5; i++) {
            f.topics.publish("ticks", f.message("ticks/" + i, "t" + i, "note", "n" + i),
                    new PublishOptions("same-key", null)).join();
            f.clock.advanceMs(1_000);
        }
    }

    private int partition() {
        return Math.floorMod(LocalTopic.fnv1a32("same-key".getBytes(StandardCharsets.UTF_8)), 2);
    }

    @Test
    void startPositionsResolveToOffsets() {
        int p = partition();
        long t0 = TopicsFixture.START_MS;
        assertThat(f.topics.resolve("ticks", p, StartPosition.EARLIEST)).isZero();
        assertThat(f.topics.resolve("ticks", p, StartPosition.LATEST)).isEqualTo(5);
        assertThat(f.topics.resolve("ticks", p, new StartPosition.AtOffset(3))).isEqualTo(3);
        assertThat(f.topics.resolve("ticks", p, new StartPosition.AtOffset(99))).isEqualTo(5);
        assertThat(f.topics.resolve("ticks", p, new StartPosition.AtTime(t0 + 2_000))).isEqualTo(2);
        assertThat(f.topics.resolve("ticks", p, new StartPosition.AtTime(t0 + 1_500))).isEqualTo(2);
        assertThat(f.topics.resolve("ticks", p, StartPosition.parse("time:" + (t0 + 60_000)))).isEqualTo(5);
        assertThat(f.topics.resolve("ticks", 1 - p, StartPosition.LATEST)).as("the other partition is empty").isZero();
    }

    @Test
    void readsPageThroughAPartitionWithEveryMessageField() {
        int p = partition();
        ReadBatch first = f.topics.read("ticks", p, 1, 2, 1 << 20);
        assertThat(first.messages()).extracting(DurableMessage::offset).containsExactly(1L, 2L);
        assertThat(first.nextOffset()).isEqualTo(3);
        assertThat(first.endOffset()).isEqualTo(5);
        assertThat(first.lag()).isEqualTo(2);
        ReadBatch rest = f.topics.read("ticks", p, first.nextOffset(), 100, 1 << 20);
        assertThat(rest.messages()).extracting(m -> TopicsFixture.text(m.message().payload()))
                .containsExactly("t3", "t4");
        assertThat(rest.lag()).isZero();

        DurableMessage m = first.messages().get(0);
        assertThat(m.topic()).isEqualTo("ticks");
        assertThat(m.partition()).isEqualTo(p);
        assertThat(m.message().topic()).isEqualTo("ticks/1");
        assertThat(m.message().properties().userProperties()).containsExactly(new Header("note", "n1"));
        assertThat(m.key()).isEqualTo("same-key".getBytes(StandardCharsets.UTF_8));
        assertThat(m.timestampMs()).isEqualTo(TopicsFixture.START_MS + 1_000);
        assertThat(f.topics.read("ticks", p, 5, 10, 1 << 20).messages()).as("at the end: nothing yet").isEmpty();
    }

    @Test
    void badReadsAreRefusedWithTheirCodes() {
        assertRefused(() -> f.topics.read("ticks", partition(), 6, 10, 1024), ErrorCode.OFFSET_OUT_OF_RANGE);
        assertRefused(() -> f.topics.read("ticks", 2, 0, 10, 1024), ErrorCode.INVALID_ARGUMENT);
        assertRefused(() -> f.topics.read("ticks", 0, 0, 0, 1024), ErrorCode.INVALID_ARGUMENT);
        assertRefused(() -> f.topics.read("nope", 0, 0, 10, 1024), ErrorCode.TOPIC_NOT_FOUND);
    }

    @Test
    void committedOffsetsSurviveARestartAndTheLatestCommitWins() {
        int p = partition();
        f.topics.commitOffset("ticks", "reader", p, 2).join();
        f.topics.commitOffset("ticks", "reader", p, 4).join();
        f.topics.commitOffset("ticks", "reader", 1 - p, 0).join();
        f.topics.commitOffset("ticks", "audit", p, 1).join();
        assertThat(f.topics.commitOffset("ticks", "reader", p, 6)).failsWithin(Duration.ofSeconds(5))
                .withThrowableThat().withMessageContaining("offset 6 is outside");

        DurableTopics reopened = f.reopen();

        assertThat(reopened.committedOffset("ticks", "reader", p)).hasValue(4);
        assertThat(reopened.committedOffset("ticks", "audit", p)).hasValue(1);
        assertThat(reopened.committedOffset("ticks", "nobody", p)).isEmpty();
        assertThat(reopened.committedOffsets("ticks")).extracting(CommittedOffset::consumer, CommittedOffset::offset)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("audit", 1L),
                        org.assertj.core.groups.Tuple.tuple("reader", 0L),
                        org.assertj.core.groups.Tuple.tuple("reader", 4L));
        ReadBatch resumed = reopened.read("ticks", p, reopened.committedOffset("ticks", "reader", p).getAsLong(), 10,
                1 << 20);
        assertThat(resumed.messages()).extracting(m -> TopicsFixture.text(m.message().payload())).containsExactly("t4");
    }
}
