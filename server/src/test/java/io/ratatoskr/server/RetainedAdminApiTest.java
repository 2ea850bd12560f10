package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retained-message routes: list with previews, one in full, a durable clear. */
class RetainedAdminApiTest {
    @TempDir
    Path dir;

    private RatatoskrServer start() throws Exception {
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
    }

    private static void publishRetained(RatatoskrServer server, String topic, byte[] payload, String contentType)
            throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "retainer", new MemoryPersistence());
        c.connect(new MqttConnectionOptions());
        MqttMessage m = new MqttMessage(payload, 1, true, new MqttProperties());
        if (contentType != null) {
            m.getProperties().setContentType(contentType);
        }
        c.publish(topic, m);
        c.disconnect();
        c.close();
    }

    @Test
    void retainedMessagesAreListedInspectedAndClearedDurably() throws Exception {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe, 1};
        String long_ = "x".repeat(100);
        try (RatatoskrServer server = start()) {
            publishRetained(server, "r/text", "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
            publishRetained(server, "r/bin", binary, null);
            publishRetained(server, "r/long", long_.getBytes(StandardCharsets.UTF_8), null);
            publishRetained(server, "other", "o".getBytes(StandardCharsets.UTF_8), null);
            ApiCalls api = new ApiCalls(server.httpPort());

            JsonNode page = api.get("/api/v1/retained?filter=r%2F%23").json();
            assertThat(page.findValuesAsText("topic")).containsExactly("r/bin", "r/long", "r/text");
            JsonNode bin = page.at("/messages/0");
            assertThat(bin.get("encoding").asText()).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(bin.get("payload").asText())).isEqualTo(binary);
            assertThat(bin.get("payloadBytes").asInt()).isEqualTo(4);
            assertThat(bin.get("qos").asInt()).isEqualTo(1);
            assertThat(bin.get("storedAt").asText()).endsWith("Z");
            JsonNode longPreview = page.at("/messages/1");
            assertThat(longPreview.get("truncated").asBoolean()).isTrue();
            assertThat(longPreview.get("payload").asText()).hasSizeLessThan(100);
            JsonNode text = page.at("/messages/2");
            assertThat(text.get("payload").asText()).isEqualTo("hello");
            assertThat(text.get("contentType").asText()).isEqualTo("text/plain");
            assertThat(page.get("next").isNull()).isTrue();

            JsonNode first = api.get("/api/v1/retained?filter=%23&limit=2").json();
            assertThat(first.findValuesAsText("topic")).containsExactly("other", "r/bin");
            assertThat(first.get("next").asText()).isEqualTo("r/bin");
            assertThat(api.get("/api/v1/retained?filter=%23&after=r%2Fbin").json().findValuesAsText("topic"))
                    .containsExactly("r/long", "r/text");
            assertThat(api.get("/api/v1/retained?filter=a%2F%23%2Fb").status()).isEqualTo(400);

            JsonNode full = api.get("/api/v1/retained/message?topic=r%2Flong").json();
            assertThat(full.get("payload").asText()).isEqualTo(long_);
            assertThat(full.get("truncated").asBoolean()).isFalse();

            assertThat(api.delete("/api/v1/retained/message?topic=r%2Ftext").status()).isEqualTo(204);
            ApiCalls.Answer gone = api.get("/api/v1/retained/message?topic=r%2Ftext");
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.json().get("error").asText()).isEqualTo("retained_not_found");
            assertThat(api.delete("/api/v1/retained/message?topic=r%2Ftext").status()).isEqualTo(404);
            assertThat(api.get("/api/v1/retained/message").status()).as("no topic").isEqualTo(400);
        }
        try (RatatoskrServer restarted = start()) {
            JsonNode page = new ApiCalls(restarted.httpPort()).get("/api/v1/retained?filter=r%2F%23").json();
            assertThat(page.findValuesAsText("topic")).as("after a restart").containsExactly("r/bin", "r/long");
        }
    }
}
