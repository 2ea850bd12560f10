package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.FetchResponse;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.PublishResult;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrBlockingStub;
import io.ratatoskr.api.v1.TopicConfig;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishRpcsTest {
    @TempDir
    Path dir;

    private static PublishRequest.Builder publish(String topic, String payload) {
        return PublishRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8(payload));
    }

    private static FetchResponse fetchAll(RatatoskrBlockingStub api, String topic, int partition) {
        return api.fetch(FetchRequest.newBuilder().setTopic(topic).setPartition(partition).build());
    }

    @Test
    void publishAnswersThePositionAndTheMessageIsReadableWithFetch() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());
            long before = System.currentTimeMillis();

            PublishResponse r = api.publish(publish("orders", "hello").putMetadata("tenant", "acme")
                    .setContentType("text/plain").build());

            assertThat(r.getStored()).isTrue();
            assertThat(r.getDuplicate()).isFalse();
            assertThat(r.getTopic()).isEqualTo("orders");
            assertThat(r.getPartition()).isZero();
            assertThat(r.getOffset()).isZero();
            assertThat(r.getMessageId()).hasSize(36);
            assertThat(r.getTimestampMs()).isBetween(before - 1000, System.currentTimeMillis() + 1000);
            FetchResponse f = fetchAll(api, "orders", 0);
            assertThat(f.getMessagesList()).singleElement().satisfies(m -> {
                assertThat(m.getPayload().toStringUtf8()).isEqualTo("hello");
                assertThat(m.getMetadataMap()).containsEntry("tenant", "acme");
                assertThat(m.getContentType()).isEqualTo("text/plain");
                assertThat(m.getMessageId()).isEqualTo(r.getMessageId());
                assertThat(m.getTimestampMs()).isEqualTo(r.getTimestampMs());
            });
            assertThat(f.getNextOffset()).isEqualTo(1);
            assertThat(f.getEndOffset()).isEqualTo(1);
        }
    }

    @Test
    void aSubtopicIsStoredInTheCapturingTopicAndKeysKeepTheirPartition() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders")
                    .setConfig(TopicConfig.newBuilder().setPartitions(8)).build());

            PublishResponse first = api.publish(publish("orders/eu", "a").setKey("customer-42").build());
            PublishResponse second = api.publish(publish("orders/eu", "b").setKey("customer-42").build());

            assertThat(first.getTopic()).isEqualTo("orders");
            assertThat(second.getPartition()).isEqualTo(first.getPartition());
            assertThat(second.getOffset()).isEqualTo(first.getOffset() + 1);
            Message m = fetchAll(api, "orders", first.getPartition()).getMessages(0);
            assertThat(m.getKey()).isEqualTo("customer-42");
            assertThat(m.getTopic()).isEqualTo("orders/eu");
        }
    }

    @Test
    void anIdempotentRepeatGetsTheOriginalPositionAndIsStoredOnce() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());

            PublishResponse first = api.publish(publish("orders", "pay 10").setIdempotencyKey("tx-1").build());
            PublishResponse again = api.publish(publish("orders", "pay 10").setIdempotencyKey("tx-1").build());

            assertThat(again.getDuplicate()).isTrue();
            assertThat(again.getMessageId()).isEqualTo(first.getMessageId());
            assertThat(again.getOffset()).isEqualTo(first.getOffset());
            assertThat(fetchAll(api, "orders", 0).getMessagesCount()).isEqualTo(1);
        }
    }

    @Test
    void badPublishesEndWithTheDocumentedStatus() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("small")
                    .setConfig(TopicConfig.newBuilder().setMaxMessageBytes(1024)).build());

            assertFails(() -> api.publish(publish("nope", "x").build()), Status.Code.NOT_FOUND, "TOPIC_NOT_FOUND");
            assertFails(() -> api.publish(publish("$SYS/x", "x").build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_NAME");
            assertFails(() -> api.publish(publish("a/+/b", "x").build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_NAME");
            assertFails(() -> api.publish(publish("small", "x".repeat(2000)).build()),
                    Status.Code.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE");
            assertFails(() -> api.publish(publish("small", "x").setIdempotencyKey("k".repeat(300)).build()),
                    Status.Code.INVALID_ARGUMENT, "IDEMPOTENCY_KEY_TOO_LONG");
            assertFails(() -> api.publish(publish("small", "x").setQos(3).build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
            // Larger than the transport's limit: refused by gRPC before the broker sees it (no ErrorInfo).
            byte[] huge = new byte[GrpcConfig.DEFAULTS.maxInboundMessageBytes() + 1];
            assertFails(() -> api.publish(PublishRequest.newBuilder().setTopic("small")
                    .setPayload(ByteString.copyFrom(huge)).build()), Status.Code.RESOURCE_EXHAUSTED, null);
            // A live-only publish needs no durable topic.
            assertThat(api.publish(publish("nope", "x").setLiveOnly(true).build()).getStored()).isFalse();
            assertThat(b.topics().exists("nope")).isFalse();
        }
    }

    @Test
    void publishToAMissingTopicCreatesItWhenAutoCreationIsOn() {
        DurableTopicsConfig auto = DurableTopicsConfig.DEFAULTS.withAutoCreate(true,
                io.ratatoskr.core.durable.TopicConfig.DEFAULTS);
        try (GrpcTestBroker b = GrpcTestBroker.start(dir, auto)) {
            PublishResponse r = b.blocking().publish(publish("fresh", "x").build());

            assertThat(r.getTopic()).isEqualTo("fresh");
            assertThat(b.topics().exists("fresh")).isTrue();
        }
    }

    @Test
    void batchGivesOneResultPerMessageInOrderAndARefusalDoesNotStopTheOthers() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("small")
                    .setConfig(TopicConfig.newBuilder().setMaxMessageBytes(100)).build());

            PublishBatchResponse r = api.publishBatch(PublishBatchRequest.newBuilder().setTopic("small")
                    .addMessages(BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("one")))
                    .addMessages(BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("x".repeat(500))))
                    .addMessages(BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("three"))
                            .setIdempotencyKey("k3"))
                    .addMessages(BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("three again"))
                            .setIdempotencyKey("k3"))
                    .build());

            assertThat(r.getResultsList()).extracting(PublishResult::getResultCase).containsExactly(
                    PublishResult.ResultCase.STORED, PublishResult.ResultCase.ERROR, PublishResult.ResultCase.STORED,
                    PublishResult.ResultCase.STORED);
            assertThat(r.getResults(1).getError().getCode()).isEqualTo("MESSAGE_TOO_LARGE");
            assertThat(r.getResults(1).getError().getStatus()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
            assertThat(r.getResults(0).getStored().getOffset()).isZero();
            assertThat(r.getResults(2).getStored().getOffset()).isEqualTo(1);
            assertThat(r.getResults(3).getStored().getDuplicate()).isTrue();
            assertThat(r.getResults(3).getStored().getOffset()).isEqualTo(1);
            assertThat(fetchAll(api, "small", 0).getMessagesList()).extracting(m -> m.getPayload().toStringUtf8())
                    .containsExactly("one", "three");
            assertFails(() -> api.publishBatch(PublishBatchRequest.newBuilder().setTopic("small").build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
            assertFails(() -> api.publishBatch(PublishBatchRequest.newBuilder().setTopic("nope")
                    .addMessages(BatchMessage.getDefaultInstance()).build()), Status.Code.NOT_FOUND, "TOPIC_NOT_FOUND");
        }
    }

    @Test
    void aBatchOfAThousandToAnFsyncTopicCostsOneFsync() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("ledger").build()); // FSYNC by default
            PublishBatchRequest.Builder req = PublishBatchRequest.newBuilder().setTopic("ledger");
            for (int i = 0; i < 1000; i++) {
                req.addMessages(BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("entry " + i)));
            }
            long fsyncsBefore = b.topics().partition("ledger", 0).log().stats().fsyncs();

            PublishBatchResponse r = api.publishBatch(req.build());

            long fsyncs = b.topics().partition("ledger", 0).log().stats().fsyncs() - fsyncsBefore;
            assertThat(r.getResultsList()).allMatch(PublishResult::hasStored);
            assertThat(r.getResults(999).getStored().getOffset()).isEqualTo(999);
            assertThat(fsyncs).as("fsyncs for the batch").isBetween(1L, 2L);
        }
    }

    @Test
    void aLongPollPastItsDeadlineEndsWithDeadlineExceeded() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());

            assertFails(() -> api.withDeadlineAfter(200, TimeUnit.MILLISECONDS).fetch(FetchRequest.newBuilder()
                    .setTopic("orders").setMaxWaitMs(60_000).build()), Status.Code.DEADLINE_EXCEEDED, null);
        }
    }

    @Test
    void aLongPollAnswersAsSoonAsAMessageArrives() throws Exception {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());
            var pending = io.ratatoskr.api.v1.RatatoskrGrpc.newFutureStub(b.channel())
                    .fetch(FetchRequest.newBuilder().setTopic("orders").setMaxWaitMs(30_000).build());

            api.publish(publish("orders", "late").build());

            FetchResponse f = pending.get(10, TimeUnit.SECONDS);
            assertThat(f.getMessagesList()).extracting(m -> m.getPayload().toStringUtf8()).containsExactly("late");
        }
    }
}
