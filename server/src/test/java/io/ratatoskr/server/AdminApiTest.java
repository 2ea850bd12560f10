package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's topic routes over HTTP: a client's mistake is a 4xx with a catalogue code, never a 500. */
class AdminApiTest {
    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withHttp(HttpConfig.DEFAULTS.withPort(0)));
        server.durableTopics().create("orders", TopicConfig.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json").build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static double serverErrors() {
        Counter c = server.meterRegistry().find("ratatoskr.http.requests").tag("status", "500").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void bodiesThatAreNotTopicSettingsAreRefusedWith400() throws Exception {
        HttpResponse<String> nullCreate = call("POST", "/api/v1/topics", "null");
        assertThat(nullCreate.statusCode()).as(nullCreate.body()).isEqualTo(400);
        assertThat(nullCreate.body()).contains("invalid_argument");

        HttpResponse<String> nullFilter = call("POST", "/api/v1/topics", "{\"name\": \"t\", \"filters\": [null]}");
        assertThat(nullFilter.statusCode()).as(nullFilter.body()).isEqualTo(400);
        assertThat(nullFilter.body()).contains("invalid_topic_config").contains("filter");

        HttpResponse<String> nullPatch = call("PATCH", "/api/v1/topics/orders", "null");
        assertThat(nullPatch.statusCode()).as(nullPatch.body()).isEqualTo(400);

        HttpResponse<String> nullFilterPatch = call("PATCH", "/api/v1/topics/orders", "{\"filters\": [\"a\", null]}");
        assertThat(nullFilterPatch.statusCode()).as(nullFilterPatch.body()).isEqualTo(400);

        assertThat(serverErrors()).isZero();
        assertThat(server.durableTopics().exists("t")).isFalse();
        assertThat(server.durableTopics().describe("orders").generation()).as("unchanged").isEqualTo(1);
    }
}
