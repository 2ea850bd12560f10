package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.durable.TopicInfo;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.Main;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.DurabilityMode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ratatoskr topic ...} against a running broker's admin API. */
class TopicCommandTest {
    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static String url;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
        url = "http://127.0.0.1:" + server.httpPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void createThenListAndDescribeShowTheSettingsAndCapturedMessages() throws Exception {
        Run created = run("topic", "create", "orders", "--url", url, "--partitions", "3", "--retention", "1d",
                "--durability", "group", "--max-message-size", "64KiB");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("created durable topic orders").contains("orders/#");

        TopicInfo info = server.durableTopics().describe("orders");
        assertThat(info.config().partitions()).isEqualTo(3);
        assertThat(info.config().retentionMaxAgeMs()).isEqualTo(86_400_000L);
        assertThat(info.config().durability()).isEqualTo(DurabilityMode.GROUP);
        assertThat(info.config().maxMessageBytes()).isEqualTo(65_536);

        MqttClient publisher = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "cli-test",
                new MemoryPersistence());
        publisher.connect(new MqttConnectionOptions());
        for (int i = 0; i < 5; i++) {
            publisher.publish("orders/eu", ("o" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        publisher.disconnect();
        publisher.close();

        Run list = run("topic", "list", "--url", url);
        assertThat(list.exit()).isZero();
        assertThat(list.out()).containsPattern("NAME +PARTITIONS +MESSAGES");
        assertThat(list.out()).containsPattern("orders +3 +5 +.* 1d +delete +group +orders orders/#");

        Run describe = run("topic", "describe", "orders", "--url", url);
        assertThat(describe.exit()).isZero();
        assertThat(describe.out()).contains("durability:         group").contains("messages:           5");

        Run json = run("topic", "describe", "orders", "--url", url, "--json");
        assertThat(json.out()).contains("\"messages\" : 5").contains("\"durability\" : \"group\"");
    }

    @Test
    void alterChangesOnlyWhatIsGivenAndDeleteRemoves() {
        assertThat(run("topic", "create", "state", "--url", url, "--cleanup", "compact").exit()).isZero();
        Run altered = run("topic", "alter", "state", "--url", url, "--partitions", "2", "--ttl", "1h");
        assertThat(altered.exit()).as(altered.err()).isZero();
        TopicInfo info = server.durableTopics().describe("state");
        assertThat(info.config().partitions()).isEqualTo(2);
        assertThat(info.config().defaultTtlMs()).isEqualTo(3_600_000L);
        assertThat(info.config().cleanupPolicy()).isEqualTo(CleanupPolicy.COMPACT);

        assertThat(run("topic", "delete", "state", "--url", url).exit()).isZero();
        assertThat(server.durableTopics().exists("state")).isFalse();
        Run again = run("topic", "describe", "state", "--url", url);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("'state' does not exist").contains("topic_not_found").contains("HTTP 404");
    }

    @Test
    void refusalsAreExplainedWithTheirCode() throws Exception {
        assertThat(run("topic", "create", "dup", "--url", url).exit()).isZero();
        Run dup = run("topic", "create", "dup", "--url", url);
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.err()).contains("already exists").contains("HTTP 409");

        Run badName = run("topic", "create", "no/slashes", "--url", url);
        assertThat(badName.exit()).isEqualTo(1);
        assertThat(badName.err()).contains("not a valid durable topic name").contains("HTTP 400");

        Run shrink = run("topic", "alter", "dup", "--url", url, "--partitions", "0");
        assertThat(shrink.exit()).isEqualTo(1);
        assertThat(shrink.err()).contains("partitions");

        Run badDuration = run("topic", "create", "x", "--url", url, "--retention", "forty");
        assertThat(badDuration.exit()).isNotZero();
        assertThat(badDuration.err()).contains("not a duration");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run unreachable = run("topic", "list", "--url", "http://127.0.0.1:" + closedPort);
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach the admin API").contains("ratatoskr server");
    }
}
