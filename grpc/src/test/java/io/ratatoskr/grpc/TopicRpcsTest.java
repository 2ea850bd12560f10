package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.ratatoskr.api.v1.CleanupPolicy;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.Durability;
import io.ratatoskr.api.v1.GetStatsRequest;
import io.ratatoskr.api.v1.GetTopicRequest;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrBlockingStub;
import io.ratatoskr.api.v1.Topic;
import io.ratatoskr.api.v1.TopicConfig;
import io.ratatoskr.api.v1.TopicStats;
import io.ratatoskr.api.v1.UpdateTopicRequest;
import io.ratatoskr.core.durable.group.GroupSink;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicRpcsTest {
    @TempDir
    Path dir;

    @Test
    void createListGetUpdateDeleteRoundTrip() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            Topic created = api.createTopic(CreateTopicRequest.newBuilder().setName("orders")
                    .setConfig(TopicConfig.newBuilder().setPartitions(3).setDurability(Durability.DURABILITY_GROUP))
                    .build());
            assertThat(created.getConfig().getPartitions()).isEqualTo(3);
            assertThat(created.getConfig().getDurability()).isEqualTo(Durability.DURABILITY_GROUP);
            assertThat(created.getConfig().getCleanupPolicy()).isEqualTo(CleanupPolicy.CLEANUP_POLICY_DELETE);
            assertThat(created.getConfig().getMaxMessageBytes()).isEqualTo(1024 * 1024);
            assertThat(created.getEffectiveFiltersList()).containsExactly("orders", "orders/#");
            assertThat(created.getGeneration()).isEqualTo(1);
            assertThat(created.getPartitionsCount()).isEqualTo(3);
            api.createTopic(CreateTopicRequest.newBuilder().setName("payments").build());

            assertThat(api.listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
                    .extracting(Topic::getName).containsExactly("orders", "payments");
            assertThat(api.listTopics(ListTopicsRequest.newBuilder().setPrefix("pay").build()).getTopicsList())
                    .extracting(Topic::getName).containsExactly("payments");

            Topic updated = api.updateTopic(UpdateTopicRequest.newBuilder().setName("orders")
                    .setConfig(TopicConfig.newBuilder().setPartitions(4).addFilters("shop/orders/#")).build());
            assertThat(updated.getConfig().getPartitions()).isEqualTo(4);
            assertThat(updated.getConfig().getDurability()).as("unset fields keep their value")
                    .isEqualTo(Durability.DURABILITY_GROUP);
            assertThat(updated.getEffectiveFiltersList()).containsExactly("shop/orders/#");
            assertThat(updated.getGeneration()).isEqualTo(2);
            Topic reset = api.updateTopic(UpdateTopicRequest.newBuilder().setName("orders").setResetFilters(true)
                    .build());
            assertThat(reset.getEffectiveFiltersList()).containsExactly("orders", "orders/#");
            assertThat(api.getTopic(GetTopicRequest.newBuilder().setName("orders").build()).getPartitionsCount())
                    .isEqualTo(4);

            assertThat(api.deleteTopic(DeleteTopicRequest.newBuilder().setName("orders").build()).getDeleted())
                    .isTrue();
            assertThat(api.deleteTopic(DeleteTopicRequest.newBuilder().setName("orders").setIfExists(true).build())
                    .getDeleted()).isFalse();
            assertThat(b.topics().exists("orders")).isFalse();
        }
    }

    @Test
    void badTopicRequestsEndWithTheCatalogueStatus() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());

            assertFails(() -> api.getTopic(GetTopicRequest.newBuilder().setName("nope").build()),
                    Status.Code.NOT_FOUND, "TOPIC_NOT_FOUND");
            assertFails(() -> api.deleteTopic(DeleteTopicRequest.newBuilder().setName("nope").build()),
                    Status.Code.NOT_FOUND, "TOPIC_NOT_FOUND");
            assertFails(() -> api.createTopic(CreateTopicRequest.newBuilder().setName("bad/name").build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_NAME");
            assertFails(() -> api.createTopic(CreateTopicRequest.newBuilder().setName("").build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_NAME");
            assertFails(() -> api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build()),
                    Status.Code.ALREADY_EXISTS, "TOPIC_EXISTS");
            assertThat(api.createTopic(CreateTopicRequest.newBuilder().setName("orders").setIfNotExists(true)
                    .setConfig(TopicConfig.newBuilder().setPartitions(7)).build()).getConfig().getPartitions())
                    .as("the existing topic, unchanged").isEqualTo(1);
            assertFails(() -> api.createTopic(CreateTopicRequest.newBuilder().setName("x")
                    .setConfig(TopicConfig.newBuilder().setPartitions(0)).build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_CONFIG");
            api.updateTopic(UpdateTopicRequest.newBuilder().setName("orders")
                    .setConfig(TopicConfig.newBuilder().setPartitions(2)).build());
            assertFails(() -> api.updateTopic(UpdateTopicRequest.newBuilder().setName("orders")
                    .setConfig(TopicConfig.newBuilder().setPartitions(1)).build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_CONFIG");
        }
    }

    @Test
    void statsCountMessagesSubscribersAndGroupLag() throws Exception {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders")
                    .setConfig(TopicConfig.newBuilder().setPartitions(2)).build());
            for (int i = 0; i < 5; i++) {
                api.publish(PublishRequest.newBuilder().setTopic("orders").setPayload(ByteString.copyFromUtf8("m" + i))
                        .build());
            }
            // A consumer group that has taken nothing yet: its lag is every message.
            b.groups().join("orders", "billing", MemberOptions.named("m1").withPrefetch(1), new GroupSink() {
                @Override
                public void deliver(GroupDelivery delivery) {
                }

                @Override
                public void ended(ErrorCode code, String reason) {
                }
            });

            TopicStats stats = api.getStats(GetStatsRequest.newBuilder().setTopic("orders").build());

            assertThat(stats.getMessages()).isEqualTo(5);
            assertThat(stats.getPartitions()).isEqualTo(2);
            assertThat(stats.getSizeBytes()).isPositive();
            assertThat(stats.getPartitionInfoCount()).isEqualTo(2);
            assertThat(stats.getGroupsList()).singleElement().satisfies(g -> {
                assertThat(g.getGroup()).isEqualTo("billing");
                assertThat(g.getMembers()).isEqualTo(1);
            });
            assertThat(stats.getConsumerLag()).isEqualTo(5);
            assertThat(stats.getSubscribers()).as("the group's member").isEqualTo(1);
            assertFails(() -> api.getStats(GetStatsRequest.newBuilder().setTopic("nope").build()),
                    Status.Code.NOT_FOUND, "TOPIC_NOT_FOUND");
        }
    }
}
