package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} serves every meter in Prometheus' text format, and the counts follow the traffic. */
class MetricsEndpointTest {
    @TempDir
    Path dir;

    @Test
    void metricsShowMqttAndGrpcTrafficAndTheJvm() throws Exception {
        try (RatatoskrServer server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(HttpConfig.DEFAULTS.withPort(0)))) {
            server.durableTopics().create("orders", TopicConfig.DEFAULTS);

            MqttClient mqtt = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "metrics-test",
                    new MemoryPersistence());
            mqtt.connect(new MqttConnectOptions());
            mqtt.publish("orders/eu", "m".getBytes(), 1, false);
            mqtt.disconnect();
            mqtt.close();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                    .build();
            try {
                for (int i = 0; i < 3; i++) {
                    RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).publish(
                            PublishRequest.newBuilder().setTopic("orders").setPayload(ByteString.copyFromUtf8("g"))
                                    .build());
                }
            } finally {
                channel.shutdownNow();
            }

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue(AdminApi.PROMETHEUS_TEXT);
            assertThat(r.body())
                    .containsPattern("(?m)^ratatoskr_grpc_calls_seconds_count\\{code=\"OK\",method=\"Publish\"} 3(\\.0)?$")
                    .containsPattern("(?m)^ratatoskr_messages_received_total\\{protocol=\"mqtt\",qos=\"1\"} 1(\\.0)?$")
                    .containsPattern("(?m)^jvm_memory_used_bytes\\{")
                    .contains("# TYPE ratatoskr_grpc_calls_seconds summary");
        }
    }
}
