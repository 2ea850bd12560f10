package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API behind a bearer token: refused without it, open probes, the CLI sending it. */
class AdminAuthTest {
    private static final String TOKEN = "s3cr3t-t0ken_value";
    @TempDir
    static Path dir;
    private static RatatoskrServer server;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("data");
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(data)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0).withBearerToken(TOKEN)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static double refused() {
        var c = server.meterRegistry().find("ratatoskr.http.requests.refused").tag("reason", "unauthenticated")
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void callsWithoutTheRightTokenAreRefusedWith401AndAChallenge() throws Exception {
        double before = refused();
        ApiCalls.Answer none = new ApiCalls(server.httpPort()).get("/api/v1/topics");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.response().headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"ratatoskr\"");
        assertThat(none.json().get("error").asText()).isEqualTo("unauthenticated");
        assertThat(none.json().get("message").asText()).contains("Authorization: Bearer");

        ApiCalls.Answer wrong = new ApiCalls(server.httpPort(), TOKEN + "x").get("/api/v1/broker");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(new ApiCalls(server.httpPort(), "s3cr3t").get("/metrics").status()).as("a prefix").isEqualTo(401);
        assertThat(refused()).isEqualTo(before + 3);

        ApiCalls.Answer right = new ApiCalls(server.httpPort(), TOKEN).get("/api/v1/broker");
        assertThat(right.status()).isEqualTo(200);
        assertThat(right.json().get("ready").asBoolean()).isTrue();
        assertThat(new ApiCalls(server.httpPort(), TOKEN).get("/metrics").status()).isEqualTo(200);
    }

    @Test
    void probesStayOpen() throws Exception {
        ApiCalls anonymous = new ApiCalls(server.httpPort());
        assertThat(anonymous.get("/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/ready").status()).isEqualTo(200);
    }

    @Test
    void theCliSendsItsToken() {
        String url = "http://127.0.0.1:" + server.httpPort();
        CliRun refused = CliRun.run("topic", "list", "--url", url);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("unauthenticated").contains("HTTP 401");

        CliRun created = CliRun.run("topic", "create", "secured", "--url", url, "--token", TOKEN);
        assertThat(created.exit()).as(created.err()).isZero();
        CliRun listed = CliRun.run("topic", "list", "--url", url, "--token", TOKEN);
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("secured");
    }

    @Test
    void theServerReadsItsTokenFromAFileTrimmed() throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "  " + TOKEN + "\n");
        assertThat(ServerCommand.httpToken(null, file)).isEqualTo(TOKEN);
        assertThat(ServerCommand.httpToken(TOKEN, null)).isEqualTo(TOKEN);
        assertThat(ServerCommand.httpToken(null, null)).isNull();
        assertThatThrownBy(() -> ServerCommand.httpToken(TOKEN, file)).hasMessageContaining("not both");
        assertThatThrownBy(() -> HttpConfig.DEFAULTS.withBearerToken("has space"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(HttpConfig.DEFAULTS.withBearerToken(TOKEN).toString()).doesNotContain(TOKEN);
    }
}
