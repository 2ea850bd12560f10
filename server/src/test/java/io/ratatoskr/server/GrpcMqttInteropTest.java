package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.SubscribeRequest;
import io.ratatoskr.api.v1.SubscribeResponse;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.testing.PahoMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT and gRPC clients on one broker see the same messages, in both directions. */
class GrpcMqttInteropTest {
    @TempDir
    Path dir;
    private RatatoskrServer server;
    private ManagedChannel channel;
    private RatatoskrGrpc.RatatoskrBlockingStub api;

    @BeforeEach
    void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(null));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        api = RatatoskrGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    private MqttClient mqtt(String id, List<MqttMessage> received) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), id, new MemoryPersistence());
        c.setCallback(new PahoMessages((topic, m) -> received.add(m)));
        c.connect();
        return c;
    }

    @Test
    void anMqttPublisherReachesAGrpcSubscriber() throws Exception {
        var stream = RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .subscribe(SubscribeRequest.newBuilder().addFilters("sensors/#").build());
        assertThat(stream.next().hasSubscribed()).isTrue();
        MqttClient pub = mqtt("pub", new CopyOnWriteArrayList<>());

        for (int i = 0; i < 3; i++) {
            pub.publish("sensors/t" + i, ("v" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }

        for (int i = 0; i < 3; i++) {
            SubscribeResponse r = stream.next();
            assertThat(r.getMessage().getTopic()).isEqualTo("sensors/t" + i);
            assertThat(r.getMessage().getPayload().toStringUtf8()).isEqualTo("v" + i);
        }
        pub.disconnect();
    }

    @Test
    void aGrpcPublisherReachesAnMqtt5SubscriberWithMetadataAsUserProperties() throws Exception {
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient sub = mqtt("sub", received);
        sub.subscribe("alerts/#", 1);

        api.publish(PublishRequest.newBuilder().setTopic("alerts/fire").setPayload(ByteString.copyFromUtf8("run"))
                .putMetadata("severity", "high").setContentType("text/plain").setLiveOnly(true).build());

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        MqttMessage m = received.getFirst();
        assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("run");
        assertThat(m.getProperties().getContentType()).isEqualTo("text/plain");
        Map<String, String> props = m.getProperties().getUserProperties().stream()
                .collect(Collectors.toMap(UserProperty::getKey, UserProperty::getValue));
        assertThat(props).containsEntry("severity", "high");
        sub.disconnect();
    }

    @Test
    void aGrpcPublisherReachesAnMqttConsumerGroup() throws Exception {
        api.createTopic(CreateTopicRequest.newBuilder().setName("orders").build());
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient consumer = mqtt("worker", received);
        consumer.subscribe("$queue/billing/orders", 1);

        api.publish(PublishRequest.newBuilder().setTopic("orders").setPayload(ByteString.copyFromUtf8("order-1"))
                .build());

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(new String(received.getFirst().getPayload(), StandardCharsets.UTF_8)).isEqualTo("order-1");
        consumer.disconnect();
    }
}
