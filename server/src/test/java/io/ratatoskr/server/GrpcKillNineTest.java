package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.PublishResult;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.TopicConfig;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.ReadBatch;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker process (the {@code ratatoskr server} command in a child JVM) takes Publish and
 * PublishBatch calls over gRPC into an fsync topic with three partitions, and is killed with SIGKILL
 * while calls are in flight. After a restart on the same data directory every message whose call
 * was answered is in the topic exactly once, at the partition and offset the answer gave, with the
 * same message id.
 */
class GrpcKillNineTest {
    private static final int IN_FLIGHT = 64;
    private static final int PARTITIONS = 3;
    private static final int BATCH = 20;

    @TempDir
    Path dir;

    /** What an answered call said about one message. */
    private record Ack(String messageId, int partition, long offset) {}

    @Test
    void everyAnsweredPublishSurvivesKillNineOnceAtItsPosition() throws Exception {
        SplittableRandom random = Seeds.random("GrpcKillNineTest", 20261124L);
        int killAfterAcks = 500 + random.nextInt(2_000);
        Path data = dir.resolve("data");
        Map<String, Ack> acked = new ConcurrentHashMap<>();

        try (BrokerProcess broker = BrokerProcess.start(data, dir.resolve("child.err"))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", broker.grpcPort()).usePlaintext()
                    .build();
            try {
                RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).createTopic(
                        CreateTopicRequest.newBuilder().setName("orders")
                                .setConfig(TopicConfig.newBuilder().setPartitions(PARTITIONS)).build());
                RatatoskrGrpc.RatatoskrStub stub = RatatoskrGrpc.newStub(channel);
                Semaphore window = new Semaphore(IN_FLIGHT);
                for (int call = 0; acked.size() < killAfterAcks; call++) {
                    window.acquire();
                    if (call % 10 == 9) {
                        publishBatch(stub, call, random.nextInt(7), acked, window);
                    } else {
                        publish(stub, call, random.nextInt(7), acked, window);
                    }
                }
                // SIGKILL with up to IN_FLIGHT calls unanswered.
                broker.kill();
            } finally {
                channel.shutdownNow();
            }
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(killAfterAcks);

        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(data)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null);
        try (RatatoskrServer restarted = RatatoskrServer.start(config)) {
            Map<String, Ack> stored = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                for (DurableMessage m : readAll(restarted.durableTopics(), p)) {
                    String payload = new String(m.message().payload(), StandardCharsets.UTF_8);
                    Ack previous = stored.put(payload, new Ack(m.id().toString(), m.partition(), m.offset()));
                    assertThat(previous).as("payload %s stored twice", payload).isNull();
                }
            }
            for (Map.Entry<String, Ack> e : acked.entrySet()) {
                assertThat(stored.get(e.getKey())).as("answered message %s after the restart", e.getKey())
                        .isEqualTo(e.getValue());
            }
        }
    }

    private static void publish(RatatoskrGrpc.RatatoskrStub stub, int call, int key, Map<String, Ack> acked,
                                Semaphore window) {
        String payload = "m-" + call;
        stub.publish(PublishRequest.newBuilder().setTopic("orders").setKey("k" + key)
                .setPayload(ByteString.copyFromUtf8(payload)).build(), new Answer<>(window) {
                    @Override
                    public void onNext(PublishResponse r) {
                        acked.put(payload, new Ack(r.getMessageId(), r.getPartition(), r.getOffset()));
                    }
                });
    }

    private static void publishBatch(RatatoskrGrpc.RatatoskrStub stub, int call, int key, Map<String, Ack> acked,
                                     Semaphore window) {
        PublishBatchRequest.Builder b = PublishBatchRequest.newBuilder().setTopic("orders");
        for (int i = 0; i < BATCH; i++) {
            b.addMessages(BatchMessage.newBuilder().setKey("k" + (key + i))
                    .setPayload(ByteString.copyFromUtf8("b-" + call + "-" + i)));
        }
        stub.publishBatch(b.build(), new Answer<>(window) {
            @Override
            public void onNext(PublishBatchResponse r) {
                List<PublishResult> results = r.getResultsList();
                for (int i = 0; i < results.size(); i++) {
                    assertThat(results.get(i).hasStored()).as("batch message %d", i).isTrue();
                    PublishResponse s = results.get(i).getStored();
                    acked.put("b-" + call + "-" + i, new Ack(s.getMessageId(), s.getPartition(), s.getOffset()));
                }
            }
        });
    }

    /** Frees a window slot when the call ends, answered or not (the kill fails the calls in flight). */
    private abstract static class Answer<T> implements StreamObserver<T> {
        private final Semaphore window;

        Answer(Semaphore window) {
            this.window = window;
        }

        @Override
        public void onError(Throwable t) {
            window.release();
        }

        @Override
        public void onCompleted() {
            window.release();
        }
    }

    private static List<DurableMessage> readAll(DurableTopics topics, int partition) {
        List<DurableMessage> out = new ArrayList<>();
        long next = 0;
        while (true) {
            ReadBatch b = topics.read("orders", partition, next, 1_000, 1 << 20);
            out.addAll(b.messages());
            if (b.nextOffset() >= b.endOffset()) {
                return out;
            }
            next = b.nextOffset();
        }
    }
}
