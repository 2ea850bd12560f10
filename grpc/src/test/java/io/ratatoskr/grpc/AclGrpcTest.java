package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static io.ratatoskr.grpc.GrpcAssertions.reason;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.ratatoskr.api.v1.CommitOffsetRequest;
import io.ratatoskr.api.v1.ConfigureGroupRequest;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.ListDeadLettersRequest;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.Position;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrBlockingStub;
import io.ratatoskr.api.v1.SeekRequest;
import io.ratatoskr.api.v1.SubscribeRequest;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.security.acl.AclFile;
import io.ratatoskr.core.security.acl.AclRules;
import io.ratatoskr.grpc.testing.ConsumeClient;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ACL governs gRPC calls as it governs MQTT: publish, subscribe/read and admin per durable topic. */
class AclGrpcTest {
    private static final String RULES = """
            ratatoskr-acl 1
            anonymous
            allow both open
            allow subscribe sensors/#
            allow admin open
            allow subscribe readable
            allow subscribe readable.dlq
            allow admin managed.dlq
            """;

    @TempDir
    Path dir;
    private GrpcTestBroker b;
    private RatatoskrBlockingStub api;

    @BeforeEach
    void start() {
        b = GrpcTestBroker.start(dir, new AclRules(AclFile.parse(RULES)));
        api = b.blocking();
    }

    @AfterEach
    void stop() {
        b.close();
    }

    private double denied(String action) {
        Counter c = b.registry().find("ratatoskr.acl.denied").tags("protocol", "grpc", "action", action).counter();
        return c == null ? 0 : c.count();
    }

    private static PublishRequest publish(String topic) {
        return PublishRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8("x")).build();
    }

    @Test
    void publishToATopicNotAllowedIsPermissionDeniedWithReasonNotAuthorized() {
        api.createTopic(CreateTopicRequest.newBuilder().setName("open").build());
        assertThat(api.publish(publish("open")).getOffset()).isZero();
        StatusRuntimeException e = assertFails(() -> api.publish(publish("closed")), Status.Code.PERMISSION_DENIED,
                "NOT_AUTHORIZED");
        assertThat(e.getStatus().getDescription()).contains("not authorized to publish 'closed'");
        assertFails(() -> api.publishBatch(PublishBatchRequest.newBuilder().setTopic("closed").build()),
                Status.Code.PERMISSION_DENIED, "NOT_AUTHORIZED");
        assertThat(denied("publish")).isEqualTo(2);
    }

    @Test
    void topicAdministrationNeedsAnAdminRule() {
        assertFails(() -> api.createTopic(CreateTopicRequest.newBuilder().setName("closed").build()),
                Status.Code.PERMISSION_DENIED, "NOT_AUTHORIZED");
        assertFails(() -> api.deleteTopic(DeleteTopicRequest.newBuilder().setName("closed").build()),
                Status.Code.PERMISSION_DENIED, "NOT_AUTHORIZED");
        assertThat(api.createTopic(CreateTopicRequest.newBuilder().setName("open").build()).getName())
                .isEqualTo("open");
        assertThat(denied("admin")).isEqualTo(2);
    }

    @Test
    void consumeAndFetchOfATopicNotAllowedAreRefused() {
        try (ConsumeClient c = ConsumeClient.start(b.async(), "closed", "workers", 1, 0)) {
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(reason((StatusRuntimeException) c.error())).isEqualTo("NOT_AUTHORIZED");
        }
        assertFails(() -> api.fetch(FetchRequest.newBuilder().setTopic("closed").setMaxMessages(1).build()),
                Status.Code.PERMISSION_DENIED, "NOT_AUTHORIZED");
        assertThat(denied("subscribe")).isEqualTo(2);
    }

    @Test
    void aSubscribeWithOneFilterNotAllowedIsRefused() {
        assertFails(() -> api.subscribe(SubscribeRequest.newBuilder()
                        .addAllFilters(List.of("sensors/+", "secret/#")).build()).hasNext(),
                Status.Code.PERMISSION_DENIED, "NOT_AUTHORIZED");
    }

    @Test
    void seekingAGroupNeedsAdminWhileACursorMovesWithReadAccess() {
        for (String name : List.of("open", "readable")) {
            b.topics().create(name, TopicConfig.DEFAULTS);
        }
        Position earliest = Position.newBuilder().setEarliest(true).build();
        // "readable": subscribe only. Resetting a group moves every member's position: administration.
        assertFails(() -> api.seek(SeekRequest.newBuilder().setTopic("readable").setGroup("billing")
                .setPosition(earliest).build()), Status.Code.PERMISSION_DENIED, "NOT_AUTHORIZED");
        assertThat(denied("admin")).isEqualTo(1);
        // A cursor is the reader's own bookmark: reading rights move it.
        assertThat(api.seek(SeekRequest.newBuilder().setTopic("readable").setConsumer("me").setPosition(earliest)
                .build()).getOffsetsCount()).isEqualTo(1);
        api.commitOffset(CommitOffsetRequest.newBuilder().setTopic("readable").setConsumer("me").setPartition(0)
                .setOffset(0).build());
        // No read access at all: neither.
        assertFails(() -> api.commitOffset(CommitOffsetRequest.newBuilder().setTopic("secret").setConsumer("me")
                .setPartition(0).setOffset(0).build()), Status.Code.PERMISSION_DENIED, "NOT_AUTHORIZED");
        // "open" is administered by the caller: its groups may be moved.
        api.configureGroup(ConfigureGroupRequest.newBuilder().setTopic("open").setGroup("billing").build());
        assertThat(api.seek(SeekRequest.newBuilder().setTopic("open").setGroup("billing").setPosition(earliest)
                .build()).getOffsetsCount()).isEqualTo(1);
    }

    @Test
    void listingsShowOnlyTopicsTheCallerMaySubscribeToOrAdminister() {
        for (String name : List.of("open", "readable", "secret", "readable.dlq", "managed.dlq", "secret.dlq")) {
            b.topics().create(name, TopicConfig.DEFAULTS);
        }
        assertThat(api.listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
                .extracting(io.ratatoskr.api.v1.Topic::getName)
                .containsExactlyInAnyOrder("open", "readable", "readable.dlq", "managed.dlq");
        assertThat(api.listTopics(ListTopicsRequest.newBuilder().setPrefix("sec").build()).getTopicsList()).isEmpty();
        assertThat(api.listDeadLetters(ListDeadLettersRequest.getDefaultInstance()).getTopicsList())
                .extracting(io.ratatoskr.api.v1.DeadLetterTopic::getName)
                .containsExactlyInAnyOrder("readable.dlq", "managed.dlq");
        assertThat(denied("subscribe") + denied("admin")).as("filtered, not refused").isZero();
    }
}
