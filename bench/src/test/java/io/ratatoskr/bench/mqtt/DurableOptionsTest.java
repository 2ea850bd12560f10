package io.ratatoskr.bench.mqtt;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durable-topic options of {@code MqttLoad}, and the admin API calls they lead to. */
class DurableOptionsTest {

    private static LoadSpec spec(String... args) {
        MqttLoad load = new MqttLoad();
        new CommandLine(load).parseArgs(args);
        return load.spec();
    }

    @Test
    void aGroupMakesTheSubscribersMembersOnTheDurableTopic() {
        LoadSpec s = spec("--admin-url", "http://127.0.0.1:1", "--partitions", "4", "--durability", "group",
                "--group", "g", "--members", "3", "--qos", "1", "--preload", "1000");

        assertThat(s.layout()).isEqualTo(new TopicLayout.Queue("g"));
        assertThat(s.subscribers()).isEqualTo(3);
        assertThat(s.durable().partitions()).isEqualTo(4);
        assertThat(s.durable().durability()).isEqualTo("group");
        assertThat(s.durable().drain()).isTrue();
        assertThat(s.durable().registerGroup()).isTrue();
    }

    @Test
    void optionsThatCannotWorkAreRefusedWithTheReason() {
        assertThatThrownBy(() -> spec("--group", "g")).hasMessageContaining("durable topic");
        assertThatThrownBy(() -> spec("--admin-url", "http://h:1", "--preload", "10", "--qos", "1"))
                .hasMessageContaining("--group");
        assertThatThrownBy(() -> spec("--admin-url", "http://h:1", "--group", "g", "--preload", "10"))
                .hasMessageContaining("--qos 1");
        assertThatThrownBy(() -> spec("--preload", "10")).hasMessageContaining("durable topic");
        assertThatThrownBy(() -> spec("--admin-url", "http://h:1", "--durability", "sometimes"))
                .hasMessageContaining("fsync, group or async");
        assertThatThrownBy(() -> spec("--durable-topic", "a/b")).hasMessageContaining("--durable-topic");
    }

    @Test
    void theTopicIsCreatedWithTheChosenSettingsAndARefusalCarriesTheBrokersAnswer() throws IOException {
        List<String> calls = new ArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v1/topics", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + body);
            boolean refuse = body.contains("taken");
            byte[] answer = (refuse ? "{\"code\":\"TOPIC_EXISTS\"}" : "{}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(refuse ? 409 : exchange.getRequestMethod().equals("POST") ? 201 : 204,
                    exchange.getRequestMethod().equals("DELETE") ? -1 : answer.length);
            if (!exchange.getRequestMethod().equals("DELETE")) {
                exchange.getResponseBody().write(answer);
            }
            exchange.close();
        });
        http.start();
        try {
            AdminApi admin = new AdminApi(URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/"),
                    Duration.ofSeconds(5));

            admin.createTopic("orders", 4, "group");
            admin.deleteTopic("orders");

            assertThat(calls).containsExactly(
                    "POST /api/v1/topics {\"name\":\"orders\",\"partitions\":4,\"durability\":\"group\"}",
                    "DELETE /api/v1/topics/orders ");
            assertThatThrownBy(() -> admin.createTopic("taken", 1, "fsync"))
                    .hasMessageContaining("HTTP 409").hasMessageContaining("TOPIC_EXISTS");
        } finally {
            http.stop(0);
        }
    }
}
