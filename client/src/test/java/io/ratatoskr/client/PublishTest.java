package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PublishTest extends ClientTestBase {
    @Test
    void publishReturnsThePositionWhereAConsumerReadsTheMessage() {
        client.topics().createTopic("orders");
        OutgoingMessage message = OutgoingMessage.builder("orders").payload("order 42").key("customer-7")
                .contentType("text/plain").header("source", "web").build();

        PublishResult result = client.publish(message).join();

        assertThat(result.stored()).isTrue();
        assertThat(result.duplicate()).isFalse();
        assertThat(result.topic()).isEqualTo("orders");
        assertThat(result.offset()).isZero();
        assertThat(result.messageId()).isNotEmpty();
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        try (Consumer ignored = client.consume("orders", "readers", m -> {
            received.add(m);
            return Ack.ACK;
        })) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        }
        ReceivedMessage m = received.getFirst();
        assertThat(m.payloadAsString()).isEqualTo("order 42");
        assertThat(m.messageId()).isEqualTo(result.messageId());
        assertThat(m.durableTopic()).isEqualTo("orders");
        assertThat(m.partition()).isEqualTo(result.partition());
        assertThat(m.offset()).isEqualTo(result.offset());
        assertThat(m.key()).isEqualTo("customer-7");
        assertThat(m.contentType()).isEqualTo("text/plain");
        assertThat(m.metadata()).containsEntry("source", "web");
        assertThat(m.attempt()).isEqualTo(1);
    }

    @Test
    void publishToAMissingTopicFailsWithTopicNotFound() {
        assertThatThrownBy(() -> client.publish("nowhere", "x").join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(RatatoskrClientException.class, e -> {
                    assertThat(e.code()).isEqualTo("TOPIC_NOT_FOUND");
                    assertThat(e.status()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getMessage()).contains("nowhere");
                });
    }

    @Test
    void republishWithTheSameIdempotencyKeyIsAcknowledgedAsADuplicate() {
        client.topics().createTopic("payments");
        OutgoingMessage m = OutgoingMessage.builder("payments").payload("pay 10").idempotencyKey("pay-1").build();

        PublishResult first = client.publish(m).join();
        PublishResult again = client.publish(m).join();

        assertThat(again.duplicate()).isTrue();
        assertThat(again.offset()).isEqualTo(first.offset());
        assertThat(again.messageId()).isEqualTo(first.messageId());
    }

    @Test
    void batchStoresEachMessageAndReportsTheOversizeOneWithoutStoppingTheOthers() {
        client.topics().createTopic("events", TopicSettings.DEFAULTS.withMaxMessageBytes(1024));
        List<OutgoingMessage> batch = List.of(
                OutgoingMessage.builder().payload("a").build(),
                OutgoingMessage.builder().payload(new byte[4096]).build(),
                OutgoingMessage.builder().payload("c").build());

        List<BatchResult> results = client.publishBatch("events", batch).join();

        assertThat(results).hasSize(3);
        assertThat(results.get(0)).isInstanceOfSatisfying(BatchResult.Stored.class,
                s -> assertThat(s.result().offset()).isZero());
        assertThat(results.get(1)).isInstanceOfSatisfying(BatchResult.Failed.class,
                f -> assertThat(f.code()).isEqualTo("MESSAGE_TOO_LARGE"));
        assertThat(results.get(2)).isInstanceOfSatisfying(BatchResult.Stored.class,
                s -> assertThat(s.result().offset()).isEqualTo(1));
        assertThat(client.topics().getStats("events").messages()).isEqualTo(2);
    }

    @Test
    void topicAdminCreatesListsDescribesAndDeletesTopics() {
        TopicInfo created = client.topics().createTopic("metrics",
                TopicSettings.DEFAULTS.withPartitions(3).withDurability(TopicSettings.Durability.GROUP));

        assertThat(created.name()).isEqualTo("metrics");
        assertThat(created.partitions()).hasSize(3);
        assertThat(created.settings().durability()).isEqualTo(TopicSettings.Durability.GROUP);
        assertThat(created.effectiveFilters()).containsExactlyInAnyOrder("metrics", "metrics/#");
        assertThat(client.topics().topicExists("metrics")).isTrue();
        assertThat(client.topics().listTopics()).extracting(TopicInfo::name).contains("metrics");
        assertThatThrownBy(() -> client.topics().createTopic("metrics"))
                .isInstanceOfSatisfying(RatatoskrClientException.class,
                        e -> assertThat(e.code()).isEqualTo("TOPIC_EXISTS"));
        assertThat(client.topics().createTopicIfNotExists("metrics", TopicSettings.DEFAULTS).partitions()).hasSize(3);

        assertThat(client.topics().deleteTopic("metrics")).isTrue();
        assertThat(client.topics().topicExists("metrics")).isFalse();
        assertThat(client.topics().deleteTopic("metrics")).isFalse();
        assertThatThrownBy(() -> client.topics().getStats("metrics"))
                .isInstanceOfSatisfying(RatatoskrClientException.class,
                        e -> assertThat(e.code()).isEqualTo("TOPIC_NOT_FOUND"));
    }
}
