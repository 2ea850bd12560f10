package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listing, inspecting and replaying dead-letter topics. */
class DeadLettersTest extends DurableTopicsTestBase {

    @BeforeEach
    void createTopics() {
        f.topics.create("orders", TopicConfig.DEFAULTS);
        f.topics.create("orders.dlq", TopicConfig.DEFAULTS);
    }

    /** Writes a dead letter as a consumer group does. */
    private void deadLetter(String source, String payload, long sourceOffset, String key) {
        Message m = f.message("shop/orders/" + payload, payload, "trace", "t-" + payload,
                DeadLetterHeaders.REASON, "max_attempts", DeadLetterHeaders.ATTEMPTS, "3",
                DeadLetterHeaders.SOURCE_TOPIC, source, DeadLetterHeaders.SOURCE_PARTITION, "0",
                DeadLetterHeaders.SOURCE_OFFSET, Long.toString(sourceOffset),
                DeadLetterHeaders.FIRST_FAILURE, Long.toString(TopicsFixture.START_MS - 5_000),
                DeadLetterHeaders.GROUP, "billing");
        f.topics.publish("orders.dlq", m, new PublishOptions(key, null)).join();
    }

    @Test
    void deadLetterTopicsAreListedWithTheirDepthAndInspectedWithParsedHeaders() {
        deadLetter("orders", "o1", 10, "customer-1");
        deadLetter("orders", "o2", 11, null);

        assertThat(f.topics.deadLetters().list())
                .containsExactly(new DeadLetters.DeadLetterTopic("orders.dlq", 2, 2));
        List<DeadLetters.DeadLetter> letters = f.topics.deadLetters().inspect("orders.dlq", 0, 0, 10);
        assertThat(letters).hasSize(2);
        DeadLetters.DeadLetter first = letters.get(0);
        assertThat(first.reason()).isEqualTo("max_attempts");
        assertThat(first.attempts()).isEqualTo(3);
        assertThat(first.sourceTopic()).isEqualTo("orders");
        assertThat(first.sourcePartition()).isZero();
        assertThat(first.sourceOffset()).isEqualTo(10);
        assertThat(first.firstFailureMs()).isEqualTo(TopicsFixture.START_MS - 5_000);
        assertThat(first.group()).isEqualTo("billing");
        assertThat(first.replayed()).isFalse();
        assertThat(first.message().message().topic()).isEqualTo("shop/orders/o1");
    }

    @Test
    void replaySendsEachMessageBackOnceWithoutItsDeadLetterHeaders() {
        deadLetter("orders", "o1", 10, "customer-1");
        deadLetter("orders", "o2", 11, null);
        f.clock.advanceMs(1_000);

        assertThat(f.topics.deadLetters().replay("orders.dlq", 100)).isEqualTo(2);

        List<DurableMessage> back = f.all("orders", 0);
        assertThat(back).extracting(m -> m.message().topic()).containsExactly("shop/orders/o1", "shop/orders/o2");
        DurableMessage o1 = back.get(0);
        assertThat(o1.message().properties().userProperties()).containsExactly(new Header("trace", "t-o1"));
        assertThat(new String(o1.key())).isEqualTo("customer-1");
        assertThat(o1.timestampMs()).as("stamped at the replay").isEqualTo(TopicsFixture.START_MS + 1_000);
        assertThat(f.topics.deadLetters().depth("orders.dlq")).isZero();
        assertThat(f.topics.deadLetters().inspect("orders.dlq", 0, 0, 10))
                .allSatisfy(l -> assertThat(l.replayed()).isTrue());

        assertThat(f.topics.deadLetters().replay("orders.dlq", 100)).as("not repeated").isZero();
        DurableTopics reopened = f.reopen();
        assertThat(reopened.deadLetters().replay("orders.dlq", 100)).as("not after a restart either").isZero();
        deadLetter("orders", "o3", 12, null);
        assertThat(reopened.deadLetters().depth("orders.dlq")).isEqualTo(1);
        assertThat(reopened.deadLetters().replay("orders.dlq", 100)).isEqualTo(1);
        assertThat(f.payloads("orders", 0)).containsExactly("o1", "o2", "o3");
    }

    @Test
    void replayStopsAtAMessageWhoseSourceTopicIsGoneAndKeepsWhatItReplayed() {
        deadLetter("orders", "o1", 10, null);
        deadLetter("vanished", "v1", 3, null);
        deadLetter("orders", "o2", 11, null);

        assertRefused(() -> f.topics.deadLetters().replay("orders.dlq", 100), ErrorCode.TOPIC_NOT_FOUND);

        assertThat(f.payloads("orders", 0)).containsExactly("o1");
        assertThat(f.topics.deadLetters().depth("orders.dlq")).isEqualTo(2);
        f.topics.create("vanished", TopicConfig.DEFAULTS);
        assertThat(f.topics.deadLetters().replay("orders.dlq", 100)).isEqualTo(2);
        assertThat(f.payloads("vanished", 0)).containsExactly("v1");
        assertThat(f.payloads("orders", 0)).containsExactly("o1", "o2");
    }
}
