package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.http.Json;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ratatoskr status} against a running broker and an absent one; {@code completion}; {@code topic update}. */
class StatusAndCompletionCommandTest {
    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
        url = "http://127.0.0.1:" + server.httpPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void statusOfAReadyBrokerShowsHealthReadinessListenersAndCountsAndExitsZero() throws Exception {
        server.durableTopics().create("counted", TopicConfig.DEFAULTS);
        CliRun run = Cli.run("status", "--url", url);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("health +UP").containsPattern("ready +READY")
                .containsPattern("  mqtt +UP").containsPattern("  storage +UP").containsPattern("version +\\S+")
                .containsPattern("started +\\S+ \\(up \\S+\\)")
                .containsPattern("data dir +" + java.util.regex.Pattern.quote(dir.resolve("data").toAbsolutePath()
                        .toString()))
                .containsPattern("listeners +mqtt 127.0.0.1:" + server.mqttPort() + ", .*http 127.0.0.1:"
                        + server.httpPort())
                .containsPattern("counts +0 connections, .*, [1-9]\\d* topics, 0 groups")
                .containsPattern("totals +\\d+ messages in");

        CliRun json = Cli.run("status", "--url", url, "--json");
        assertThat(json.exit()).isZero();
        JsonNode doc = Json.MAPPER.readTree(json.out());
        assertThat(doc.path("url").asText()).isEqualTo(url);
        assertThat(doc.path("health").path("status").asText()).isEqualTo("UP");
        assertThat(doc.path("ready").path("status").asText()).isEqualTo("READY");
        assertThat(doc.path("broker").path("counts").path("topics").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(doc.path("broker").path("listeners").isArray()).isTrue();
    }

    @Test
    void statusSendsTheBearerTokenTheBrokerRouteNeeds() throws Exception {
        try (RatatoskrServer secured = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("secured"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null)
                .withHttp(HttpConfig.DEFAULTS.withPort(0).withBearerToken("s3cr3t-token")))) {
            String securedUrl = "http://127.0.0.1:" + secured.httpPort();
            CliRun without = Cli.run("status", "--url", securedUrl);
            assertThat(without.exit()).isEqualTo(1);
            assertThat(without.err()).contains("unauthenticated").contains("HTTP 401");
            CliRun with = Cli.run("status", "--url", securedUrl, "--token", "s3cr3t-token");
            assertThat(with.exit()).as(with.err()).isZero();
            assertThat(with.out()).containsPattern("listeners +mqtt 127.0.0.1:" + secured.mqttPort());
        }
    }

    @Test
    void statusOfAnUnreachableBrokerExitsOne() {
        CliRun run = Cli.run("status", "--url", "http://127.0.0.1:1");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("cannot reach the admin API at http://127.0.0.1:1");
    }

    @Test
    void completionScriptCompletesEveryCommand() {
        CliRun run = Cli.run("completion");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("complete -F").contains("pub").contains("sub").contains("consume")
                .contains("status").contains("topic").contains("--mqtt-url").contains("update");
    }

    @Test
    void topicUpdateIsTheNewNameOfAlter() {
        server.durableTopics().create("renamed", TopicConfig.DEFAULTS);
        CliRun update = Cli.run("topic", "update", "renamed", "--url", url, "--ttl", "1h");
        assertThat(update.exit()).as(update.err()).isZero();
        assertThat(server.durableTopics().describe("renamed").config().defaultTtlMs()).isEqualTo(3_600_000L);
        assertThat(Cli.run("topic", "alter", "renamed", "--url", url, "--ttl", "2h").exit()).isZero();
        assertThat(server.durableTopics().describe("renamed").config().defaultTtlMs()).isEqualTo(7_200_000L);
    }
}
