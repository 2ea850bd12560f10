package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.cli.CliRun;
import io.ratatoskr.server.security.AclConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API by role, with real HTTP clients against a real server: users of the password file log
 * in with HTTP Basic, the ACL file's {@code admin-api read|write} rules give them roles and its
 * {@code admin} rules the durable topics they may change; the static token stays full admin.
 */
class AdminApiRolesTest {
    private static final String TOKEN = "scripts-t0ken";
    private static final String ACL = """
            ratatoskr-acl 1
            group admins
            allow admin-api write
            allow admin #
            user viewer
            allow admin-api read
            user ops
            allow admin-api write
            allow admin orders
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static RatatoskrServer server;

    @BeforeAll
    static void start() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        Path passwords = AuthFixture.passwordFile(dir, AuthFixture.user("root", "root-pw", random, "admins"),
                AuthFixture.user("viewer", "viewer-pw", random), AuthFixture.user("ops", "ops-pw", random));
        Path acl = Files.writeString(dir.resolve("acl.conf"), ACL);
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null)
                .withHttp(HttpConfig.DEFAULTS.withPort(0).withBearerToken(TOKEN))
                .withAuth(AuthConfig.DEFAULTS.withAnonymous(false)
                        .withPasswordFile(passwords, AuthFixture.TEST_ITERATIONS).withMaxFailuresPerMinute(3))
                .withAcl(AclConfig.DEFAULTS.withFile(acl)));
        server.durableTopics().create("orders", TopicConfig.DEFAULTS);
        server.durableTopics().create("billing", TopicConfig.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private record Answer(int status, HttpResponse<String> response) {
        JsonNode json() throws Exception {
            return JSON.readTree(response.body());
        }
    }

    private static Answer call(String method, String path, String authorization, String body) throws Exception {
        return call(HttpClient.newHttpClient(), method, path, authorization, body);
    }

    private static Answer call(HttpClient client, String method, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static double counter(String name, String... tags) {
        Counter c = server.meterRegistry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aViewerMayReadButNotChangeAnything() throws Exception {
        String viewer = basic("viewer", "viewer-pw");
        assertThat(call("GET", "/api/v1/topics", viewer, null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/broker", viewer, null).status()).isEqualTo(200);
        assertThat(call("GET", "/metrics", viewer, null).status()).isEqualTo(200);

        double forbidden = counter("ratatoskr.http.requests.refused", "reason", "forbidden");
        Answer create = call("POST", "/api/v1/topics", viewer, "{\"name\": \"viewer-made\"}");
        assertThat(create.status()).isEqualTo(403);
        assertThat(create.json().get("error").asText()).isEqualTo("not_authorized");
        assertThat(create.json().get("message").asText()).contains("viewer").contains("admin-api write");
        assertThat(call("DELETE", "/api/v1/topics/orders", viewer, null).status()).isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/retained/message?topic=x", viewer, null).status()).isEqualTo(403);
        assertThat(counter("ratatoskr.http.requests.refused", "reason", "forbidden")).isEqualTo(forbidden + 3);
        assertThat(server.durableTopics().list()).extracting(t -> t.name()).contains("orders")
                .doesNotContain("viewer-made");
    }

    @Test
    void anAdminMayCreateAndDeleteTopics() throws Exception {
        String root = basic("root", "root-pw");
        assertThat(call("POST", "/api/v1/topics", root, "{\"name\": \"root-made\"}").status()).isEqualTo(201);
        assertThat(call("GET", "/api/v1/topics/root-made", root, null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/api/v1/topics/root-made", root, null).status()).isEqualTo(204);
    }

    @Test
    void aPerTopicAdminRuleLimitsChangesToItsTopics() throws Exception {
        String ops = basic("ops", "ops-pw");
        Answer patch = call("PATCH", "/api/v1/topics/orders", ops, "{\"retentionMaxAgeMs\": 3600000}");
        assertThat(patch.status()).as(patch.response().body()).isEqualTo(200);
        Answer other = call("PATCH", "/api/v1/topics/billing", ops, "{\"retentionMaxAgeMs\": 3600000}");
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.json().get("message").asText()).contains("billing");
        assertThat(call("DELETE", "/api/v1/topics/billing", ops, null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/v1/topics", ops, "{\"name\": \"ops-made\"}").status()).isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/topics/billing/groups/g", ops, null).status())
                .as("its consumer groups too").isEqualTo(403);
        assertThat(call("GET", "/api/v1/topics/billing", ops, null).status()).as("reading is the role's")
                .isEqualTo(200);
    }

    @Test
    void withoutCredentialsCallsAre401WithBothChallengesWhileProbesStayOpen() throws Exception {
        Answer none = call("GET", "/api/v1/topics", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.response().headers().firstValue("www-authenticate")).get().asString()
                .contains("Bearer realm=\"ratatoskr\"").contains("Basic realm=\"ratatoskr\"");
        assertThat(none.json().get("error").asText()).isEqualTo("unauthenticated");
        assertThat(call("GET", "/metrics", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/health", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/ready", null, null).status()).isEqualTo(200);
    }

    @Test
    void theStaticTokenStaysFullAdmin() throws Exception {
        String token = "Bearer " + TOKEN;
        assertThat(call("POST", "/api/v1/topics", token, "{\"name\": \"token-made\"}").status()).isEqualTo(201);
        assertThat(call("DELETE", "/api/v1/topics/token-made", token, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/topics", "Bearer wrong-token", null).status()).isEqualTo(401);
    }

    @Test
    void wrongPasswordsAre401CountedAndRateLimitedPerSourceAddress() throws Exception {
        // From 127.0.0.2, so the failed-login budget of 127.0.0.1 (the other tests) is untouched.
        HttpClient fromElsewhere = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
        double failures = counter("ratatoskr_auth_failures_total", "protocol", "http", "reason", "bad_password");
        Answer wrong = call(fromElsewhere, "GET", "/api/v1/topics", basic("viewer", "guess"), null);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("message").asText()).isEqualTo("bad user name or password");
        assertThat(counter("ratatoskr_auth_failures_total", "protocol", "http", "reason", "bad_password"))
                .isEqualTo(failures + 1);
        call(fromElsewhere, "GET", "/api/v1/topics", basic("viewer", "guess-2"), null);
        call(fromElsewhere, "GET", "/api/v1/topics", basic("viewer", "guess-3"), null);
        Answer limited = call(fromElsewhere, "GET", "/api/v1/topics", basic("viewer", "viewer-pw"), null);
        assertThat(limited.status()).as("over 3 failures a minute: refused unchecked").isEqualTo(429);
        assertThat(limited.json().get("error").asText()).isEqualTo("login_rate_limited");
        assertThat(call("GET", "/api/v1/topics", basic("viewer", "viewer-pw"), null).status())
                .as("another source address is not limited").isEqualTo(200);
    }

    @Test
    void theCliLogsInWithUserAndPassword() {
        String url = "http://127.0.0.1:" + server.httpPort();
        CliRun list = CliRun.run("topic", "list", "--url", url, "--user", "viewer", "--password", "viewer-pw");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("orders");
        CliRun create = CliRun.run("topic", "create", "cli-made", "--url", url, "--user", "viewer",
                "--password", "viewer-pw");
        assertThat(create.exit()).isEqualTo(1);
        assertThat(create.err()).contains("HTTP 403");
        CliRun asOps = CliRun.run("topic", "create", "orders-2", "--url", url, "--user", "root",
                "--password", "root-pw");
        assertThat(asOps.exit()).as(asOps.err()).isZero();
    }
}
