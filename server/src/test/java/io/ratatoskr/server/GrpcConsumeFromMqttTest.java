package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.Ack;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Across protocols: what an MQTT client publishes into a durable topic, a gRPC consumer group receives. */
class GrpcConsumeFromMqttTest {
    private static final int COUNT = 20;

    @Test
    void grpcConsumerGroupReceivesEveryMessageAnMqttClientPublished(@TempDir Path dir) throws Exception {
        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(null);
        try (RatatoskrServer server = RatatoskrServer.start(config)) {
            server.durableTopics().create("sensors", TopicConfig.DEFAULTS);
            MqttClient pub = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "pub", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            // Paho v3 can return from a synchronous publish before it counts the message out of flight
            // (eclipse-paho/paho.mqtt.java#551): a window larger than its default 10 keeps a busy machine
            // from failing the loop with "Too many publishes in progress".
            options.setMaxInflight(1000);
            pub.connect(options);
            for (int i = 0; i < COUNT; i++) {
                pub.publish("sensors/room-" + (i % 3), ("t" + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
            pub.disconnect();
            pub.close();

            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext().build();
            LinkedBlockingQueue<ConsumeResponse> responses = new LinkedBlockingQueue<>();
            StreamObserver<ConsumeRequest> requests = RatatoskrGrpc.newStub(channel).consume(new StreamObserver<>() {
                @Override
                public void onNext(ConsumeResponse r) {
                    responses.add(r);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            try {
                requests.onNext(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic("sensors")
                        .setGroup("dashboard").setInitialCredits(COUNT)).build());
                assertThat(poll(responses).hasStarted()).isTrue();
                Set<String> payloads = new HashSet<>();
                Set<String> ids = new HashSet<>();
                for (int i = 0; i < COUNT; i++) {
                    Message m = poll(responses).getMessage();
                    assertThat(m.getTopic()).startsWith("sensors/room-");
                    assertThat(m.getDurableTopic()).isEqualTo("sensors");
                    assertThat(m.getOffset()).isBetween(0L, (long) COUNT - 1);
                    assertThat(m.getAttempt()).isEqualTo(1);
                    payloads.add(m.getPayload().toStringUtf8());
                    ids.add(m.getMessageId());
                    requests.onNext(ConsumeRequest.newBuilder().setAck(Ack.newBuilder()
                            .setMessageId(m.getMessageId())).build());
                }
                assertThat(ids).hasSize(COUNT);
                assertThat(payloads).hasSize(COUNT).contains("t0", "t" + (COUNT - 1));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> server.consumerGroups().describe("sensors", "dashboard").join().lag() == 0);
                requests.onCompleted();
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static ConsumeResponse poll(LinkedBlockingQueue<ConsumeResponse> q) throws InterruptedException {
        ConsumeResponse r = q.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a Consume response within 10 s").isNotNull();
        return r;
    }
}
