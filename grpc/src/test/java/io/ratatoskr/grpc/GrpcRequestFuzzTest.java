package io.ratatoskr.grpc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ratatoskr.api.v1.CommitOffsetRequest;
import io.ratatoskr.api.v1.ConfigureGroupRequest;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.DescribeGroupRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.GetOffsetRequest;
import io.ratatoskr.api.v1.GetStatsRequest;
import io.ratatoskr.api.v1.GetTopicRequest;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrBlockingStub;
import io.ratatoskr.api.v1.Topic;
import io.ratatoskr.api.v1.TopicExistsRequest;
import io.ratatoskr.api.v1.UpdateTopicRequest;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the gRPC request handlers (Jazzer): fuzzed bytes are parsed as one of the
 * unary requests (bytes protobuf cannot parse are skipped) and sent to a real in-process broker
 * ({@link GrpcTestBroker}, loopback). Without {@code JAZZER_FUZZ=1} only the inputs under
 * {@code src/test/resources/io/ratatoskr/grpc/GrpcRequestFuzzTestInputs/} run.
 *
 * <p>Contract: every request is answered within the deadline, either with a response or with a status
 * that names the client's mistake or a limit; never {@code UNKNOWN}, {@code INTERNAL} or {@code DATA_LOSS}
 * (an exception the handlers did not map, see {@link GrpcErrors}). Topics the fuzzer creates are deleted
 * once there are more than a few, and the broker's partition limit is small, so a run stays bounded.
 */
class GrpcRequestFuzzTest {
    private static final Set<Status.Code> BUGS = Set.of(Status.Code.UNKNOWN, Status.Code.INTERNAL,
            Status.Code.DATA_LOSS, Status.Code.DEADLINE_EXCEEDED);
    private static final int MAX_TOPICS = 4;
    private static Path dir;
    private static GrpcTestBroker broker;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("grpc-fuzz");
        broker = GrpcTestBroker.start(dir, DurableTopicsConfig.DEFAULTS.withLimits(16, 32));
        api().createTopic(CreateTopicRequest.newBuilder().setName("t").build());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @FuzzTest
    void anyRequestGetsAnAnswerOrAClientError(FuzzedDataProvider data) {
        int rpc = data.consumeInt(0, 13);
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            call(rpc, bytes);
        } catch (InvalidProtocolBufferException notARequest) {
            return;
        } catch (StatusRuntimeException e) {
            assertThat(BUGS).as("status of rpc %d: %s", rpc, e.getStatus()).doesNotContain(e.getStatus().getCode());
        } finally {
            deleteExtraTopics();
        }
    }

    private static void call(int rpc, byte[] b) throws InvalidProtocolBufferException {
        RatatoskrBlockingStub api = api();
        switch (rpc) {
            case 0 -> api.createTopic(CreateTopicRequest.parseFrom(b));
            case 1 -> api.getTopic(GetTopicRequest.parseFrom(b));
            case 2 -> api.updateTopic(UpdateTopicRequest.parseFrom(b));
            case 3 -> api.getStats(GetStatsRequest.parseFrom(b));
            case 4 -> api.publish(PublishRequest.parseFrom(b));
            case 5 -> api.publishBatch(PublishBatchRequest.parseFrom(b));
            // a long poll would only wait: its wait is not what is fuzzed
            case 6 -> api.fetch(FetchRequest.parseFrom(b).toBuilder().setMaxWaitMs(0).build());
            case 7 -> api.commitOffset(CommitOffsetRequest.parseFrom(b));
            case 8 -> api.getOffset(GetOffsetRequest.parseFrom(b));
            case 9 -> api.describeGroup(DescribeGroupRequest.parseFrom(b));
            case 10 -> api.configureGroup(ConfigureGroupRequest.parseFrom(b));
            case 11 -> api.topicExists(TopicExistsRequest.parseFrom(b));
            case 12 -> api.listTopics(ListTopicsRequest.parseFrom(b));
            default -> api.deleteTopic(DeleteTopicRequest.parseFrom(b));
        }
    }

    private static RatatoskrBlockingStub api() {
        return broker.blocking().withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static void deleteExtraTopics() {
        var topics = api().listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList();
        if (topics.size() > MAX_TOPICS) {
            for (Topic t : topics) {
                if (!t.getName().equals("t")) {
                    api().deleteTopic(DeleteTopicRequest.newBuilder().setName(t.getName()).build());
                }
            }
        }
    }
}
