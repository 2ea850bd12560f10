package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.http.Json;
import io.ratatoskr.http.Router;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document served at {@code /api/v1/openapi.json} describes exactly the routes the
 * router has, and every GET route answers what the document says (status, required properties and
 * their JSON types, through {@code $ref}s) against a broker holding one of each thing: a topic, a
 * group, a dead letter, a connected MQTT client, a persistent session, a retained message.
 */
class OpenApiTest {
    /** The dashboard's static files: served by the same listener, not part of the API. */
    private static boolean isStatic(String path) {
        return path.equals("/") || path.startsWith("/assets/");
    }

    @TempDir
    Path dir;

    @Test
    void everyRouteIsDocumentedAndEveryGetRouteAnswersItsDocumentedSchema() throws Exception {
        try (RatatoskrServer server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(HttpConfig.DEFAULTS.withPort(0)))) {
            ApiCalls api = new ApiCalls(server.httpPort());
            ApiCalls.Answer served = api.get("/api/v1/openapi.json");
            assertThat(served.status()).isEqualTo(200);
            JsonNode doc = served.json();
            assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");

            Set<String> routed = AdminApi.routes(server).routes().stream()
                    .filter(r -> !isStatic(r.pattern()))
                    .map(r -> r.method() + " " + r.pattern()).collect(Collectors.toCollection(TreeSet::new));
            Set<String> documented = new TreeSet<>();
            doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                    .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey())));
            assertThat(documented).isEqualTo(routed);

            fixtures(server);
            Map<String, String> params = Map.of("name", "orders", "topic", "orders", "group", "billing",
                    "clientId", "openapi-client");
            Map<String, String> queries = Map.of("/api/v1/dlq/{topic}", "", "/api/v1/retained/message", "?topic=fx%2Fa");
            List<String> checked = new ArrayList<>();
            for (Router.Entry r : AdminApi.routes(server).routes()) {
                if (!r.method().equals("GET") || isStatic(r.pattern())) {
                    continue;
                }
                String path = r.pattern();
                for (Map.Entry<String, String> p : params.entrySet()) {
                    path = path.replace("{" + p.getKey() + "}", p.getValue());
                }
                if (r.pattern().equals("/api/v1/dlq/{topic}")) {
                    path = "/api/v1/dlq/orders.dlq";
                }
                path += queries.getOrDefault(r.pattern(), "");
                ApiCalls.Answer a = api.get(path);
                assertThat(a.status()).as("GET %s: %s", path, a.response().body()).isEqualTo(200);
                JsonNode response = doc.at("/paths/" + pointer(r.pattern()) + "/get/responses/200");
                JsonNode content = response.path("content").path("application/json").path("schema");
                if (content.isMissingNode()) {
                    assertThat(a.response().body()).as("GET %s", path).isNotEmpty();
                } else {
                    List<String> problems = new ArrayList<>();
                    check(doc, content, a.json(), "GET " + path, problems);
                    assertThat(problems).as("GET %s", path).isEmpty();
                }
                checked.add(r.pattern());
            }
            assertThat(checked).contains("/api/v1/broker", "/api/v1/clients/{clientId}", "/api/v1/sessions/{clientId}",
                    "/api/v1/retained/message", "/api/v1/dlq/{topic}");

            ApiCalls.Answer missing = api.get("/api/v1/topics/nope");
            List<String> problems = new ArrayList<>();
            check(doc, doc.at("/components/schemas/Error"), missing.json(), "error", problems);
            assertThat(problems).isEmpty();
        }
    }

    private static void fixtures(RatatoskrServer server) throws Exception {
        server.durableTopics().create("orders", TopicConfig.DEFAULTS.toBuilder().filters(List.of("fx/#")).build());
        GroupAdminApiTest.publish(server, "orders", "o1".getBytes(StandardCharsets.UTF_8));
        QueueSink sink = new QueueSink();
        GroupMember member = server.consumerGroups().join("orders", "billing", MemberOptions.named("b"), sink);
        member.reject(sink.next().deliveryId(), "fixture").join();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.durableTopics().deadLetters().list().stream()
                .anyMatch(t -> t.name().equals("orders.dlq")));

        MqttClient persistent = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "openapi-session",
                new MemoryPersistence());
        MqttConnectionOptions keep = new MqttConnectionOptions();
        keep.setCleanStart(false);
        keep.setSessionExpiryInterval(600L);
        persistent.connect(keep);
        persistent.subscribe("fx/#", 1);
        persistent.disconnect();
        persistent.close();

        MqttClient client = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "openapi-client",
                new MemoryPersistence());
        client.connect(new MqttConnectionOptions());
        client.subscribe("fx/#", 1);
        client.publish("fx/a", "retained".getBytes(StandardCharsets.UTF_8), 1, true);
        // left connected: the server closes it
    }

    private static String pointer(String path) {
        return path.replace("~", "~0").replace("/", "~1");
    }

    /** Checks {@code value} against {@code schema}: types, required properties, items, through $refs. */
    private static void check(JsonNode doc, JsonNode schema, JsonNode value, String where, List<String> problems) {
        if (schema.has("$ref")) {
            check(doc, doc.at(schema.get("$ref").asText().substring(1)), value, where, problems);
            return;
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            List<String> types = new ArrayList<>();
            if (type.isArray()) {
                type.forEach(t -> types.add(t.asText()));
            } else {
                types.add(type.asText());
            }
            if (types.stream().noneMatch(t -> hasType(value, t))) {
                problems.add(where + ": expected " + types + ", got " + value);
                return;
            }
        }
        if (value.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    problems.add(where + ": missing required property '" + required.asText() + "'");
                }
            }
            JsonNode props = schema.path("properties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (props.has(f.getKey())) {
                    check(doc, props.get(f.getKey()), f.getValue(), where + "." + f.getKey(), problems);
                } else if (schema.path("additionalProperties").isObject()) {
                    check(doc, schema.get("additionalProperties"), f.getValue(), where + "." + f.getKey(), problems);
                } else if (!props.isMissingNode() && !schema.path("additionalProperties").asBoolean(false)) {
                    problems.add(where + ": undocumented property '" + f.getKey() + "'");
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                check(doc, schema.get("items"), item, where + "[" + i++ + "]", problems);
            }
        }
        if (schema.has("enum") && !value.isNull()) {
            List<String> allowed = new ArrayList<>();
            schema.get("enum").forEach(e -> allowed.add(e.asText()));
            if (!allowed.contains(value.asText())) {
                problems.add(where + ": " + value + " is not one of " + allowed);
            }
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> false;
        };
    }
}
