package io.ratatoskr.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.TopicExistsRequest;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpcServerTest {
    @TempDir
    Path dir;

    @Test
    void healthServiceReportsTheBrokerServiceAsServing() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            HealthCheckResponse overall = HealthGrpc.newBlockingStub(b.channel())
                    .check(HealthCheckRequest.newBuilder().build());
            HealthCheckResponse service = HealthGrpc.newBlockingStub(b.channel())
                    .check(HealthCheckRequest.newBuilder().setService(RatatoskrGrpc.SERVICE_NAME).build());

            assertThat(overall.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(service.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    @Test
    void topicExistsAnswersFromTheDurableTopics() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            b.topics().create("orders", TopicConfig.DEFAULTS);

            assertThat(b.blocking().topicExists(TopicExistsRequest.newBuilder().setName("orders").build()).getExists())
                    .isTrue();
            assertThat(b.blocking().topicExists(TopicExistsRequest.newBuilder().setName("nope").build()).getExists())
                    .isFalse();
        }
    }
}
