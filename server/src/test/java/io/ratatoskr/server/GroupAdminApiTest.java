package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.http.Json;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's consumer-group and dead-letter routes against a running broker. */
class GroupAdminApiTest {
    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static final HttpClient client = HttpClient.newHttpClient();

    record Answer(int status, JsonNode json) {}

    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Answer call(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body()));
    }

    static void publish(RatatoskrServer server, String topic, byte[] payload) {
        server.durableTopics().publish(topic, new Message(topic, payload, 1, false, MessageProperties.EMPTY, "test",
                System.currentTimeMillis()), PublishOptions.NONE).join();
    }

    private static void publish(String topic, String payload) {
        publish(server, topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(GroupDelivery d) {
        return new String(d.message().message().payload(), StandardCharsets.UTF_8);
    }

    @Test
    void describeShowsMembersPerPartitionLagAndInFlight() throws Exception {
        server.durableTopics().create("orders", TopicConfig.DEFAULTS);
        for (int i = 0; i < 3; i++) {
            publish("orders", "o" + i);
        }
        QueueSink sink = new QueueSink();
        server.consumerGroups().join("orders", "billing", MemberOptions.named("billing-1").withPrefetch(10), sink);
        for (int i = 0; i < 3; i++) {
            sink.next();
        }

        Answer g = call("GET", "/api/v1/topics/orders/groups/billing", null);
        assertThat(g.status()).as("%s", g.json()).isEqualTo(200);
        assertThat(g.json().at("/members/0/name").asText()).isEqualTo("billing-1");
        assertThat(g.json().at("/members/0/prefetch").asInt()).isEqualTo(10);
        assertThat(g.json().at("/inFlight").asInt()).isEqualTo(3);
        assertThat(g.json().at("/partitions/0/committedOffset").asLong()).isZero();
        assertThat(g.json().at("/partitions/0/endOffset").asLong()).isEqualTo(3);
        assertThat(g.json().at("/partitions/0/lag").asLong()).isEqualTo(3);
        assertThat(g.json().at("/deadLetterTopic").asText()).isEqualTo("orders.dlq");
        assertThat(g.json().at("/config/maxAttempts").asInt()).isEqualTo(3);

        assertThat(call("GET", "/api/v1/groups", null).json().findValuesAsText("group")).contains("billing");
        Answer byTopic = call("GET", "/api/v1/groups?topic=orders", null);
        assertThat(byTopic.json().at("/groups/0/group").asText()).isEqualTo("billing");
        assertThat(byTopic.json().at("/groups/0/lag").asLong()).isEqualTo(3);

        Answer unknownTopic = call("GET", "/api/v1/groups?topic=nope", null);
        assertThat(unknownTopic.status()).isEqualTo(404);
        assertThat(unknownTopic.json().at("/error").asText()).isEqualTo("topic_not_found");
        Answer unknownGroup = call("GET", "/api/v1/topics/orders/groups/nobody", null);
        assertThat(unknownGroup.status()).isEqualTo(404);
        assertThat(unknownGroup.json().at("/error").asText()).isEqualTo("group_not_found");
    }

    @Test
    void patchChangesOnlyTheGivenSettingsAndRefusesUnknownOrInvalidOnes() throws Exception {
        server.durableTopics().create("tasks", TopicConfig.DEFAULTS);
        String path = "/api/v1/topics/tasks/groups/runners";
        Answer set = call("PATCH", path, "{\"maxAttempts\": 5, \"deadLetterTopic\": \"tasks.failed.dlq\"}");
        assertThat(set.status()).as("%s", set.json()).isEqualTo(200);
        Answer again = call("PATCH", path, "{\"ackTimeoutMs\": 5000}");
        assertThat(again.json().at("/config/maxAttempts").asInt()).as("kept").isEqualTo(5);
        assertThat(again.json().at("/config/ackTimeoutMs").asLong()).isEqualTo(5000);
        assertThat(again.json().at("/deadLetterTopic").asText()).isEqualTo("tasks.failed.dlq");

        Answer misspelt = call("PATCH", path, "{\"maxAttempt\": 5}");
        assertThat(misspelt.status()).isEqualTo(400);
        assertThat(misspelt.json().at("/error").asText()).isEqualTo("invalid_argument");
        Answer invalid = call("PATCH", path, "{\"ackTimeoutMs\": 1}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().at("/message").asText()).contains("ackTimeoutMs");
        Answer noTopic = call("PATCH", "/api/v1/topics/nope/groups/runners", "{\"maxAttempts\": 2}");
        assertThat(noTopic.status()).isEqualTo(404);
        assertThat(noTopic.json().at("/error").asText()).isEqualTo("topic_not_found");
        assertThat(call("GET", path, null).json().at("/config/maxAttempts").asInt()).isEqualTo(5);
    }

    @Test
    void resetOffsetsToEarliestMakesTheGroupRedeliver() throws Exception {
        server.durableTopics().create("events", TopicConfig.DEFAULTS);
        publish("events", "e0");
        publish("events", "e1");
        QueueSink sink = new QueueSink();
        GroupMember member = server.consumerGroups().join("events", "audit", MemberOptions.named("a"), sink);
        member.ack(sink.next().deliveryId()).join();
        member.ack(sink.next().deliveryId()).join();
        String path = "/api/v1/topics/events/groups/audit";
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> call("GET", path, null).json().at("/partitions/0/committedOffset").asLong() == 2);

        Answer reset = call("POST", path + "/reset-offsets", "{\"to\": \"earliest\"}");
        assertThat(reset.status()).as("%s", reset.json()).isEqualTo(200);
        GroupDelivery again = sink.next();
        assertThat(again.message().offset()).isZero();
        assertThat(text(again)).isEqualTo("e0");

        Answer bad = call("POST", path + "/reset-offsets", "{\"to\": \"yesterday\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/message").asText()).contains("earliest, latest, offset:N");
        assertThat(call("POST", path + "/reset-offsets", "{}").status()).isEqualTo(400);
        Answer noGroup = call("POST", "/api/v1/topics/events/groups/nobody/reset-offsets", "{\"to\": \"latest\"}");
        assertThat(noGroup.status()).isEqualTo(404);
        assertThat(noGroup.json().at("/error").asText()).isEqualTo("group_not_found");
        assertThat(server.consumerGroups().list("events")).as("a reset never creates a group").hasSize(1);
    }

    @Test
    void rejectedMessagesAreListedInspectedAndReplayedToTheirGroup() throws Exception {
        server.durableTopics().create("payments", TopicConfig.DEFAULTS);
        publish("payments", "pay-1");
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe};
        publish(server, "payments", binary);
        QueueSink sink = new QueueSink();
        GroupMember member = server.consumerGroups().join("payments", "settle", MemberOptions.named("s"), sink);
        member.reject(sink.next().deliveryId(), "bad amount").join();
        member.reject(sink.next().deliveryId(), "unreadable").join();

        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> call("GET", "/api/v1/dlq", null).json().findValuesAsText("name").contains("payments.dlq"));
        assertThat(depth("payments.dlq")).isEqualTo(2);

        Answer page = call("GET", "/api/v1/dlq/payments.dlq?partition=0&from=0&max=10", null);
        assertThat(page.status()).as("%s", page.json()).isEqualTo(200);
        JsonNode first = page.json().at("/deadLetters/0");
        assertThat(first.at("/reason").asText()).isEqualTo("bad amount");
        assertThat(first.at("/sourceTopic").asText()).isEqualTo("payments");
        assertThat(first.at("/sourceOffset").asLong()).isZero();
        assertThat(first.at("/group").asText()).isEqualTo("settle");
        assertThat(first.at("/payloadEncoding").asText()).isEqualTo("utf-8");
        assertThat(first.at("/payload").asText()).isEqualTo("pay-1");
        assertThat(first.at("/headers/dlq-reason").asText()).isEqualTo("bad amount");
        JsonNode second = page.json().at("/deadLetters/1");
        assertThat(second.at("/payloadEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(second.at("/payload").asText())).isEqualTo(binary);
        assertThat(page.json().at("/nextOffset").asLong()).isEqualTo(2);
        assertThat(call("GET", "/api/v1/dlq/payments.dlq?max=1", null).json().at("/deadLetters").size())
                .isEqualTo(1);

        Answer replayed = call("POST", "/api/v1/dlq/payments.dlq/replay", "{\"max\": 1}");
        assertThat(replayed.status()).as("%s", replayed.json()).isEqualTo(200);
        assertThat(replayed.json().at("/replayed").asInt()).isEqualTo(1);
        GroupDelivery back = sink.next();
        assertThat(text(back)).isEqualTo("pay-1");
        assertThat(back.message().offset()).as("appended again").isEqualTo(2);
        assertThat(depth("payments.dlq")).isEqualTo(1);
        assertThat(call("POST", "/api/v1/dlq/payments.dlq/replay", null).json().at("/replayed").asInt())
                .isEqualTo(1);
        assertThat(depth("payments.dlq")).isZero();
    }

    private static long depth(String dlqTopic) throws Exception {
        for (JsonNode t : call("GET", "/api/v1/dlq", null).json().at("/topics")) {
            if (t.at("/name").asText().equals(dlqTopic)) {
                return t.at("/depth").asLong();
            }
        }
        throw new AssertionError(dlqTopic + " is not listed");
    }

    @Test
    void deadLetterCallsOnUnknownTopicsOrWithBadArgumentsAreRefused() throws Exception {
        server.durableTopics().create("audit.dlq", TopicConfig.DEFAULTS);
        Answer missing = call("GET", "/api/v1/dlq/nope.dlq", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().at("/error").asText()).isEqualTo("topic_not_found");
        assertThat(call("POST", "/api/v1/dlq/nope.dlq/replay", null).status()).isEqualTo(404);
        assertThat(call("GET", "/api/v1/dlq/audit.dlq?partition=5", null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/dlq/audit.dlq?max=x", null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/dlq/audit.dlq?max=0", null).status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/dlq/audit.dlq/replay", "{\"max\": 0}").status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/dlq/audit.dlq/replay", "{\"most\": 3}").status()).isEqualTo(400);
        Answer empty = call("GET", "/api/v1/dlq/audit.dlq", null);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().at("/deadLetters").size()).isZero();
    }

    @Test
    void deleteRemovesTheGroupAndThenAnswers404() throws Exception {
        server.durableTopics().create("jobs", TopicConfig.DEFAULTS);
        String path = "/api/v1/topics/jobs/groups/cleaners";
        assertThat(call("PATCH", path, "{\"prefetch\": 7}").status()).isEqualTo(200);
        assertThat(call("DELETE", path, null).status()).isEqualTo(204);
        assertThat(server.consumerGroups().list("jobs")).isEmpty();
        Answer again = call("DELETE", path, null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().at("/error").asText()).isEqualTo("group_not_found");
        assertThat(call("GET", path, null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/v1/topics/nope/groups/cleaners", null).json().at("/error").asText())
                .isEqualTo("topic_not_found");
    }
}
