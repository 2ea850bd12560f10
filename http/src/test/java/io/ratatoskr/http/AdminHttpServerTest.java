package io.ratatoskr.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.error.ErrorCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminHttpServerTest {
    record Echo(String name, Integer count) {}

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient client = HttpClient.newHttpClient();
    private AdminHttpServer server;

    @BeforeEach
    void start() throws Exception {
        Router router = new Router()
                .get("/things/{name}", r -> ApiResponse.ok(Map.of("name", r.param("name"),
                        "limit", r.queryLong("limit", 10))))
                .post("/things", r -> ApiResponse.created(Json.read(r.body(), Echo.class)))
                .delete("/things/{name}", r -> {
                    throw ErrorCode.TOPIC_NOT_FOUND.exception(r.param("name"));
                })
                .get("/boom", r -> {
                    throw new IllegalStateException("unexpected");
                });
        server = new AdminHttpServer(HttpConfig.DEFAULTS.withPort(0), router, registry);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void routesWithPathAndQueryParameters() throws Exception {
        HttpResponse<String> r = call("GET", "/things/t1?limit=5", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("name").asText()).isEqualTo("t1");
        assertThat(body.get("limit").asLong()).isEqualTo(5);
    }

    @Test
    void aPathParameterMayHoldAnEncodedSlashOrPlus() throws Exception {
        // MQTT client identifiers such as "site/device 7" are addressed with their '/' encoded.
        HttpResponse<String> r = call("GET", "/things/site%2Fdevice%207+b", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).get("name").asText()).isEqualTo("site/device 7+b");
        assertThat(call("GET", "/things/site/device", null).statusCode()).as("an unencoded '/' separates")
                .isEqualTo(404);
        assertThat(rawStatusLine("GET /things/%ZZ HTTP/1.1")).as("malformed encoding").contains(" 400 ");
    }

    /** The status line of a request the JDK's client refuses to send (e.g. a malformed escape). */
    private String rawStatusLine(String requestLine) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void catalogueErrorsCarryTheirHttpStatusAndStableCode() throws Exception {
        HttpResponse<String> r = call("DELETE", "/things/nope", null);
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("error").asText()).isEqualTo("topic_not_found");
        assertThat(body.get("message").asText()).contains("'nope' does not exist");
    }

    @Test
    void badRequestsGetClearAnswers() throws Exception {
        assertThat(call("GET", "/nowhere", null).statusCode()).isEqualTo(404);
        HttpResponse<String> wrong = call("PUT", "/things/x", "{}");
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.body()).contains("DELETE, GET");
        assertThat(wrong.headers().firstValue("allow")).as("RFC 9110 §15.5.6").hasValue("DELETE, GET, HEAD");
        HttpResponse<String> badJson = call("POST", "/things", "{\"name\": ");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(badJson.body()).contains("invalid_argument").contains("bad JSON");
        HttpResponse<String> unknownField = call("POST", "/things", "{\"name\":\"a\",\"colour\":\"red\"}");
        assertThat(unknownField.statusCode()).isEqualTo(400);
        assertThat(unknownField.body()).contains("colour");
        HttpResponse<String> badNumber = call("GET", "/things/a?limit=lots", null);
        assertThat(badNumber.statusCode()).isEqualTo(400);
        assertThat(badNumber.body()).contains("limit");
        assertThat(call("POST", "/things", "x".repeat(2 * 1024 * 1024)).statusCode()).isEqualTo(413);
        HttpResponse<String> ok = call("POST", "/things", "{\"name\":\"a\",\"count\":3}");
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(Json.MAPPER.readValue(ok.body(), Echo.class)).isEqualTo(new Echo("a", 3));
    }

    @Test
    void unexpectedFailuresAre500AndCounted() throws Exception {
        HttpResponse<String> r = call("GET", "/boom", null);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("internal");
        assertThat(registry.get("ratatoskr.http.requests").tag("status", "500").counter().count()).isEqualTo(1);
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
