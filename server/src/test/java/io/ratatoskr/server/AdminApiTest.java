package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.http.AdminHttpServer;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.testkit.FaultyFileChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
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
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
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
    void twoConcurrentPatchesOfDifferentSettingsBothTakeEffect(@TempDir Path topicsDir) throws Exception {
        FaultyFileChannel.Faults disk = new FaultyFileChannel.Faults();
        LogEnvironment env = LogEnvironment.system()
                .withChannels((path, options) -> new FaultyFileChannel(FileChannel.open(path, options), disk));
        try (DurableTopics topics = DurableTopics.open(topicsDir, DurableTopicsConfig.DEFAULTS, env,
                new SimpleMeterRegistry())) {
            topics.create("t", TopicConfig.DEFAULTS);
            AdminHttpServer http = new AdminHttpServer(HttpConfig.DEFAULTS.withPort(0), AdminApi.routes(topics),
                    new SimpleMeterRegistry());
            http.start();
            try {
                String base = "http://127.0.0.1:" + http.port() + "/api/v1/topics/t";
                disk.holdForce(true);
                CompletableFuture<HttpResponse<String>> retention = patch(base, "{\"retentionMaxAgeMs\": 60000}");
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> disk.forcesHeld() > 0);
                CompletableFuture<HttpResponse<String>> partitions = patch(base, "{\"partitions\": 2}");
                // The second PATCH has read the settings and waits for the first to finish changing them.
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> threadsIn("DurableTopics.alter") == 2);
                disk.holdForce(false);

                assertThat(retention.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                assertThat(partitions.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                TopicConfig now = topics.describe("t").config();
                assertThat(now.partitions()).isEqualTo(2);
                assertThat(now.retentionMaxAgeMs()).as("the first PATCH is not undone by the second")
                        .isEqualTo(60_000);
            } finally {
                disk.heal();
                http.close();
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> patch(String uri, String body) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(uri))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long threadsIn(String method) {
        return Thread.getAllStackTraces().values().stream().filter(stack -> java.util.Arrays.stream(stack)
                .anyMatch(f -> (f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "."
                        + f.getMethodName()).equals(method))).count();
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
