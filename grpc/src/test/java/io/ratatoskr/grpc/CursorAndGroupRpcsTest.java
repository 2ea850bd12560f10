package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.api.v1.CommitOffsetRequest;
import io.ratatoskr.api.v1.ConfigureGroupRequest;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeadLetter;
import io.ratatoskr.api.v1.DeleteGroupRequest;
import io.ratatoskr.api.v1.DescribeGroupRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.GetOffsetRequest;
import io.ratatoskr.api.v1.GetOffsetResponse;
import io.ratatoskr.api.v1.GroupConfig;
import io.ratatoskr.api.v1.GroupDescription;
import io.ratatoskr.api.v1.GroupRef;
import io.ratatoskr.api.v1.InspectDeadLettersRequest;
import io.ratatoskr.api.v1.ListDeadLettersRequest;
import io.ratatoskr.api.v1.ListGroupsRequest;
import io.ratatoskr.api.v1.PartitionOffset;
import io.ratatoskr.api.v1.Position;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrBlockingStub;
import io.ratatoskr.api.v1.ReplayDeadLettersRequest;
import io.ratatoskr.api.v1.SeekRequest;
import io.ratatoskr.api.v1.SeekResponse;
import io.ratatoskr.api.v1.TopicConfig;
import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.GroupSink;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CursorAndGroupRpcsTest {
    @TempDir
    Path dir;

    private static PublishResponse publish(RatatoskrBlockingStub api, String topic, String payload) {
        return api.publish(PublishRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8(payload))
                .build());
    }

    @Test
    void committedOffsetsSurviveARestart() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            b.blocking().createTopic(CreateTopicRequest.newBuilder().setName("orders")
                    .setConfig(TopicConfig.newBuilder().setPartitions(2)).build());
            for (int i = 0; i < 4; i++) {
                // Keys k0..k3 hash to partitions 0, 1, 0, 1: partition 1 ends at offset 2.
                b.blocking().publish(PublishRequest.newBuilder().setTopic("orders").setKey("k" + i)
                        .setPayload(ByteString.copyFromUtf8("m" + i)).build());
            }
            GetOffsetRequest get = GetOffsetRequest.newBuilder().setTopic("orders").setConsumer("audit").setPartition(1)
                    .build();
            assertThat(b.blocking().getOffset(get).getFound()).isFalse();

            b.blocking().commitOffset(CommitOffsetRequest.newBuilder().setTopic("orders").setConsumer("audit")
                    .setPartition(1).setOffset(2).build());
            b.restart();

            GetOffsetResponse after = b.blocking().getOffset(get);
            assertThat(after.getFound()).isTrue();
            assertThat(after.getOffset()).isEqualTo(2);
            assertFails(() -> b.blocking().commitOffset(CommitOffsetRequest.newBuilder().setTopic("orders")
                    .setConsumer("audit").setPartition(1).setOffset(99).build()),
                    Status.Code.OUT_OF_RANGE, "OFFSET_OUT_OF_RANGE");
            assertFails(() -> b.blocking().commitOffset(CommitOffsetRequest.newBuilder().setTopic("orders")
                    .setPartition(1).setOffset(0).build()), Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
            assertFails(() -> b.blocking().fetch(FetchRequest.newBuilder().setTopic("orders").setOffset(99).build()),
                    Status.Code.OUT_OF_RANGE, "OFFSET_OUT_OF_RANGE");
            assertFails(() -> b.blocking().fetch(FetchRequest.newBuilder().setTopic("orders").setMaxMessages(-1)
                    .build()), Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
        }
    }

    @Test
    void seekMovesAConsumersOffsetsAndAGroupsPosition() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());
            for (int i = 0; i < 5; i++) {
                publish(api, "orders", "m" + i);
            }

            SeekResponse consumer = api.seek(SeekRequest.newBuilder().setTopic("orders").setConsumer("audit")
                    .setPosition(Position.newBuilder().setOffset(3)).build());
            SeekResponse latest = api.seek(SeekRequest.newBuilder().setTopic("orders").setGroup("billing")
                    .setPosition(Position.newBuilder().setLatest(true)).build());
            SeekResponse back = api.seek(SeekRequest.newBuilder().setTopic("orders").setGroup("billing")
                    .setPosition(Position.newBuilder().setTimestampMs(0)).build());

            assertThat(consumer.getOffsetsList()).extracting(PartitionOffset::getOffset).containsExactly(3L);
            assertThat(api.getOffset(GetOffsetRequest.newBuilder().setTopic("orders").setConsumer("audit").build())
                    .getOffset()).isEqualTo(3);
            assertThat(latest.getOffsetsList()).extracting(PartitionOffset::getOffset).containsExactly(5L);
            assertThat(back.getOffsetsList()).extracting(PartitionOffset::getOffset).containsExactly(0L);
            assertThat(api.describeGroup(DescribeGroupRequest.newBuilder().setTopic("orders").setGroup("billing")
                    .build()).getLag()).isEqualTo(5);
            assertFails(() -> api.seek(SeekRequest.newBuilder().setTopic("orders").setGroup("billing").build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
        }
    }

    @Test
    void groupsAreConfiguredListedDescribedAndDeleted() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());

            GroupDescription created = api.configureGroup(ConfigureGroupRequest.newBuilder().setTopic("orders")
                    .setGroup("billing").setConfig(GroupConfig.newBuilder().setMaxAttempts(5)).build());
            GroupDescription changed = api.configureGroup(ConfigureGroupRequest.newBuilder().setTopic("orders")
                    .setGroup("billing").setConfig(GroupConfig.newBuilder().setAckTimeoutMs(5_000)).build());

            assertThat(created.getConfig().getMaxAttempts()).isEqualTo(5);
            assertThat(created.getConfig().getDeadLetterTopic()).isEqualTo("orders.dlq");
            assertThat(changed.getConfig().getMaxAttempts()).as("unset fields keep their value").isEqualTo(5);
            assertThat(changed.getConfig().getAckTimeoutMs()).isEqualTo(5_000);
            assertThat(api.listGroups(ListGroupsRequest.newBuilder().setTopic("orders").build()).getGroupsList())
                    .extracting(GroupRef::getGroup).containsExactly("billing");
            assertFails(() -> api.configureGroup(ConfigureGroupRequest.newBuilder().setTopic("orders")
                    .setGroup("billing").setConfig(GroupConfig.newBuilder().setMaxAttempts(0)).build()),
                    Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT");
            assertFails(() -> api.describeGroup(DescribeGroupRequest.newBuilder().setTopic("orders").setGroup("nope")
                    .build()), Status.Code.NOT_FOUND, "GROUP_NOT_FOUND");
            assertFails(() -> api.describeGroup(DescribeGroupRequest.newBuilder().setTopic("orders").setGroup("b/d")
                    .build()), Status.Code.INVALID_ARGUMENT, "INVALID_GROUP_NAME");

            assertThat(api.deleteGroup(DeleteGroupRequest.newBuilder().setTopic("orders").setGroup("billing").build())
                    .getDeleted()).isTrue();
            assertThat(api.listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList()).isEmpty();
        }
    }

    @Test
    void deadLettersAreListedInspectedAndReplayed() throws Exception {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());
            PublishResponse poison = publish(api, "orders", "poison");
            CountDownLatch rejected = new CountDownLatch(1);
            GroupMember[] member = new GroupMember[1];
            List<GroupDelivery> deliveries = new CopyOnWriteArrayList<>();
            member[0] = b.groups().join("orders", "billing", MemberOptions.named("m1"), new GroupSink() {
                @Override
                public void deliver(GroupDelivery d) {
                    deliveries.add(d);
                }

                @Override
                public void ended(ErrorCode code, String reason) {
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> !deliveries.isEmpty());
            member[0].reject(deliveries.getFirst().deliveryId(), "cannot parse").thenRun(rejected::countDown);
            assertThat(rejected.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> b.topics().exists("orders.dlq")
                    && b.topics().describe("orders.dlq").messages() == 1);

            assertThat(api.listDeadLetters(ListDeadLettersRequest.getDefaultInstance()).getTopicsList())
                    .singleElement().satisfies(t -> {
                        assertThat(t.getName()).isEqualTo("orders.dlq");
                        assertThat(t.getDepth()).isEqualTo(1);
                    });
            DeadLetter letter = api.inspectDeadLetters(InspectDeadLettersRequest.newBuilder().setTopic("orders.dlq")
                    .build()).getLetters(0);
            assertThat(letter.getReason()).contains("cannot parse");
            assertThat(letter.getSourceTopic()).isEqualTo("orders");
            assertThat(letter.getSourceOffset()).isEqualTo(poison.getOffset());
            assertThat(letter.getGroup()).isEqualTo("billing");
            assertThat(letter.getMessage().getPayload().toStringUtf8()).isEqualTo("poison");
            assertThat(letter.getReplayed()).isFalse();

            assertThat(api.replayDeadLetters(ReplayDeadLettersRequest.newBuilder().setTopic("orders.dlq").build())
                    .getReplayed()).isEqualTo(1);

            assertThat(api.fetch(FetchRequest.newBuilder().setTopic("orders").build()).getMessagesList())
                    .extracting(m -> m.getPayload().toStringUtf8()).containsExactly("poison", "poison");
            assertThat(api.listDeadLetters(ListDeadLettersRequest.getDefaultInstance()).getTopics(0).getDepth())
                    .isZero();
            member[0].leave();
        }
    }

    @Test
    void reflectionListsTheServicesAndServesTheApiDescriptor() throws Exception {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            List<ServerReflectionResponse> answers = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(b.channel())
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse value) {
                            answers.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            done.countDown();
                        }
                    });
            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol(RatatoskrGrpc.SERVICE_NAME)
                    .build());
            requests.onCompleted();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(answers).hasSize(2);
            assertThat(answers.get(0).getListServicesResponse().getServiceList())
                    .extracting(s -> s.getName()).contains("ratatoskr.v1.Ratatoskr", "grpc.health.v1.Health");
            var file = com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(
                    answers.get(1).getFileDescriptorResponse().getFileDescriptorProto(0));
            assertThat(file.getPackage()).isEqualTo("ratatoskr.v1");
            assertThat(file.getService(0).getMethodList()).extracting(m -> m.getName()).contains("Publish", "Subscribe");
        }
    }

    @Test
    void callsAreCountedByMethodAndStatus() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            b.blocking().listTopics(io.ratatoskr.api.v1.ListTopicsRequest.getDefaultInstance());
            assertFails(() -> b.blocking().getTopic(io.ratatoskr.api.v1.GetTopicRequest.newBuilder().setName("x")
                    .build()), Status.Code.NOT_FOUND, "TOPIC_NOT_FOUND");

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(b.registry().find("ratatoskr.grpc.calls").tag("method", "ListTopics").tag("code", "OK")
                        .timer().count()).isEqualTo(1);
                assertThat(b.registry().find("ratatoskr.grpc.calls").tag("method", "GetTopic")
                        .tag("code", "NOT_FOUND").timer().count()).isEqualTo(1);
            });
        }
    }
}
