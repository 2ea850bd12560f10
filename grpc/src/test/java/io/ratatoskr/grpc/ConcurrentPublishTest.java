package io.ratatoskr.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.Durability;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrStub;
import io.ratatoskr.api.v1.TopicConfig;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import io.ratatoskr.testkit.FaultyFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many concurrent unary Publish calls to one partition (whose records the log writes and fsyncs
 * together): each call is answered only once its own record is durable, at the position that record
 * has, and an append that fails fails exactly the calls whose records it held.
 */
class ConcurrentPublishTest {
    private static final int CALLS = 64;

    @TempDir
    Path dir;

    private final FaultyFileChannel.Faults healthy = new FaultyFileChannel.Faults();
    private final FaultyFileChannel.Faults sick = new FaultyFileChannel.Faults();

    @AfterEach
    void healTheDisk() {
        sick.heal();
    }

    /** A broker whose topic {@code sickTopic}'s files fail (or hold) as {@link #sick} says. */
    private GrpcTestBroker broker(String sickTopic) {
        Path sickDir = dir.resolve("topics").resolve(sickTopic);
        return GrpcTestBroker.startWithChannels(dir, (path, options) -> new FaultyFileChannel(
                FileChannel.open(path, options), path.startsWith(sickDir) ? sick : healthy));
    }

    private static void create(GrpcTestBroker b, String topic, Durability durability) {
        b.blocking().createTopic(CreateTopicRequest.newBuilder().setName(topic)
                .setConfig(TopicConfig.newBuilder().setPartitions(1).setDurability(durability)).build());
    }

    /** The outcomes of asynchronous Publish calls, by payload. */
    private static final class Outcomes {
        final ConcurrentMap<String, PublishResponse> answered = new ConcurrentHashMap<>();
        final ConcurrentMap<String, Throwable> failed = new ConcurrentHashMap<>();

        void publish(RatatoskrStub api, String topic, String payload) {
            api.publish(PublishRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8(payload))
                    .build(), new StreamObserver<>() {
                        @Override
                        public void onNext(PublishResponse r) {
                            answered.put(payload, r);
                        }

                        @Override
                        public void onError(Throwable t) {
                            failed.put(payload, t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
        }

        int done() {
            return answered.size() + failed.size();
        }
    }

    private static long receivedOverGrpc(GrpcTestBroker b) {
        return Math.round(b.registry().find("ratatoskr.messages.received").tag("protocol", "grpc")
                .functionCounters().stream().mapToDouble(FunctionCounter::count).sum());
    }

    private static Map<Long, String> fetchAll(GrpcTestBroker b, String topic) {
        Map<Long, String> byOffset = new HashMap<>();
        for (Message m : b.blocking().fetch(FetchRequest.newBuilder().setTopic(topic).setPartition(0)
                .setMaxMessages(1000).build()).getMessagesList()) {
            byOffset.put(m.getOffset(), m.getPayload().toStringUtf8());
        }
        return byOffset;
    }

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"DURABILITY_FSYNC", "DURABILITY_GROUP"})
    void concurrentPublishesAreAnsweredOnlyOnceTheirOwnRecordIsDurable(Durability durability) {
        try (GrpcTestBroker b = broker("held")) {
            create(b, "held", durability);
            sick.holdForce(true);
            Outcomes outcomes = new Outcomes();
            RatatoskrStub api = b.async();
            for (int i = 0; i < CALLS; i++) {
                outcomes.publish(api, "held", "m" + i);
            }

            // Every call has reached the broker and the first fsync is under way: nothing is durable yet.
            await().atMost(Duration.ofSeconds(30)).until(() -> receivedOverGrpc(b) == CALLS && sick.forcesHeld() > 0);
            assertThat(outcomes.done()).as("calls answered before any fsync finished").isZero();

            sick.holdForce(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.done() == CALLS);
            assertThat(outcomes.failed).isEmpty();
            // Each call was answered with the position of its own record.
            Map<Long, String> stored = fetchAll(b, "held");
            assertThat(stored).hasSize(CALLS);
            outcomes.answered.forEach((payload, r) -> {
                assertThat(r.getStored()).isTrue();
                assertThat(stored.get(r.getOffset())).as("record at the offset answered to " + payload)
                        .isEqualTo(payload);
            });
        }
    }

    @Test
    void aFailedAppendFailsExactlyTheCallsWhoseRecordsItHeld() {
        try (GrpcTestBroker b = broker("sick")) {
            create(b, "sick", Durability.DURABILITY_FSYNC);
            create(b, "well", Durability.DURABILITY_FSYNC);
            sick.holdForce(true);
            Outcomes outcomes = new Outcomes();
            RatatoskrStub api = b.async();
            List<String> toSick = new ArrayList<>();
            List<String> toWell = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                // Interleaved on the same connection, so that both topics' records are taken in the same bursts.
                String s = "sick-" + i;
                String w = "well-" + i;
                outcomes.publish(api, "sick", s);
                outcomes.publish(api, "well", w);
                toSick.add(s);
                toWell.add(w);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> receivedOverGrpc(b) == 2L * CALLS
                    && outcomes.answered.size() == CALLS && sick.forcesHeld() > 0);

            sick.failForce(true).holdForce(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.done() == 2 * CALLS);

            assertThat(outcomes.answered.keySet()).containsExactlyInAnyOrderElementsOf(toWell);
            assertThat(outcomes.failed.keySet()).containsExactlyInAnyOrderElementsOf(toSick);
            outcomes.failed.values().forEach(t -> {
                StatusRuntimeException e = (StatusRuntimeException) t;
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(GrpcAssertions.reason(e)).isEqualTo("PARTITION_FAILED");
            });
            Map<Long, String> stored = fetchAll(b, "well");
            assertThat(stored).hasSize(CALLS);
            outcomes.answered.forEach((payload, r) -> assertThat(stored.get(r.getOffset())).isEqualTo(payload));
        }
    }
}
