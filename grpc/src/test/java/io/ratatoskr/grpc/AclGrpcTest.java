package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static io.ratatoskr.grpc.GrpcAssertions.reason;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrBlockingStub;
import io.ratatoskr.api.v1.SubscribeRequest;
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
}
