package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResult;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrBlockingStub;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's limits as gRPC publishers meet them (docs/security.md, "Limits and quotas"). */
class PublishLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aboveTheMemoryHighWatermarkPublishAndEachBatchMessageAreResourceExhausted() {
        BrokerConfig config = BrokerConfig.DEFAULTS.withSysIntervalSeconds(0).withMemoryHighWatermark(0.0001);
        try (GrpcTestBroker b = GrpcTestBroker.startWithBroker(dir, config)) {
            RatatoskrBlockingStub api = b.blocking();
            api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());

            assertFails(() -> api.publish(PublishRequest.newBuilder().setTopic("orders")
                    .setPayload(ByteString.copyFromUtf8("x")).build()),
                    Status.Code.RESOURCE_EXHAUSTED, "MEMORY_HIGH_WATERMARK");

            PublishBatchResponse r = api.publishBatch(PublishBatchRequest.newBuilder().setTopic("orders")
                    .addMessages(BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("one")))
                    .build());
            assertThat(r.getResultsList()).extracting(PublishResult::getResultCase)
                    .containsExactly(PublishResult.ResultCase.ERROR);
            assertThat(r.getResults(0).getError().getCode()).isEqualTo("MEMORY_HIGH_WATERMARK");
            assertThat(b.registry().find("ratatoskr.messages.refused").tag("protocol", "grpc")
                    .tag("reason", "memory_high_watermark").counter().count()).isEqualTo(2);
        }
    }
}
