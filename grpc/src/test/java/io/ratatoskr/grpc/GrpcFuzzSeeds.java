package io.ratatoskr.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.CommitOffsetRequest;
import io.ratatoskr.api.v1.ConfigureGroupRequest;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.GetTopicRequest;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.TopicConfig;
import io.ratatoskr.api.v1.UpdateTopicRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed corpus of {@link GrpcRequestFuzzTest}: one valid request per RPC, followed by the RPC's
 * number (the fuzz test takes it from the last byte). The files are committed; this runs only on demand:
 * {@code ./mvnw -pl grpc -am test -Dtest=GrpcFuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false
 * -Dratatoskr.fuzz.seeds=write}.
 */
class GrpcFuzzSeeds {
    private static final Path DIR =
            Path.of("src/test/resources/io/ratatoskr/grpc/GrpcRequestFuzzTestInputs")
                    .resolve("anyRequestGetsAnAnswerOrAClientError");

    @Test
    @EnabledIfSystemProperty(named = "ratatoskr.fuzz.seeds", matches = "write")
    void writeSeeds() throws IOException {
        Files.createDirectories(DIR);
        TopicConfig config = TopicConfig.newBuilder().setPartitions(2).addFilters("fz/#").setMaxMessageBytes(1024)
                .build();
        write(0, "create-topic", CreateTopicRequest.newBuilder().setName("fz").setConfig(config).build());
        write(1, "get-topic", GetTopicRequest.newBuilder().setName("t").build());
        write(2, "update-topic", UpdateTopicRequest.newBuilder().setName("t").setConfig(config).build());
        PublishRequest publish = PublishRequest.newBuilder().setTopic("t").setPayload(ByteString.copyFromUtf8("hello"))
                .putMetadata("k", "v").setKey("key").setIdempotencyKey("id-1").setQos(1).build();
        write(4, "publish", publish);
        BatchMessage message = BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("m")).setKey("k").build();
        write(5, "publish-batch", PublishBatchRequest.newBuilder().setTopic("t").addMessages(message)
                .addMessages(message).build());
        write(6, "fetch", FetchRequest.newBuilder().setTopic("t").setMaxMessages(10).setMaxBytes(4096).build());
        write(7, "commit-offset", CommitOffsetRequest.newBuilder().setTopic("t").setConsumer("g").setOffset(1).build());
        write(10, "configure-group", ConfigureGroupRequest.newBuilder().setTopic("t").setGroup("g").build());
    }

    private static void write(int rpc, String name, Message request) throws IOException {
        byte[] bytes = request.toByteArray();
        byte[] seed = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        seed[bytes.length] = (byte) rpc;
        Files.write(DIR.resolve("seed-" + name), seed);
    }
}
