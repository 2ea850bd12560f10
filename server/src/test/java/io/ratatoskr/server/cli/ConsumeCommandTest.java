package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.Json;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ratatoskr consume} against a running broker: each way of answering, and what the group then holds;
 * {@code ratatoskr sub} as a group member and with a persistent session.
 */
class ConsumeCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static String mqttUrl;
    private static String grpcTarget;

    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(null));
        mqttUrl = "tcp://127.0.0.1:" + server.mqttPort();
        grpcTarget = "127.0.0.1:" + server.grpcPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A durable topic {@code topic} holding {@code payloads}, published with {@code ratatoskr pub}. */
    private static void topicWith(String topic, String... payloads) {
        server.durableTopics().create(topic, TopicConfig.DEFAULTS);
        String[] args = {"pub", "--mqtt-url", mqttUrl, "-t", topic};
        List<String> all = new java.util.ArrayList<>(List.of(args));
        for (String p : payloads) {
            all.add("-m");
            all.add(p);
        }
        assertThat(Cli.run(all.toArray(String[]::new)).exit()).isZero();
    }

    private static CliRun consume(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("consume", "--grpc-target", grpcTarget, "--timeout", "20s"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private static GroupInfo group(String topic, String group) {
        return server.consumerGroups().describe(topic, group).join();
    }

    @Test
    void consumeAcksEachMessageAndTheGroupLagDropsToZero() throws Exception {
        topicWith("jobs", "a", "b", "c");
        CliRun run = consume("-t", "jobs", "-g", "workers", "-C", "3", "-F", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.path("payload").asText()).isEqualTo("a");
        assertThat(first.path("durableTopic").asText()).isEqualTo("jobs");
        assertThat(first.path("offset").asLong()).isZero();
        assertThat(first.path("attempt").asInt()).isEqualTo(1);
        assertThat(run.err()).contains("3 handled: 3 acked, 0 nacked, 0 rejected");
        await().atMost(WAIT).until(() -> group("jobs", "workers").lag() == 0);
    }

    @Test
    void nackRedeliversAndRejectDeadLetters() throws Exception {
        topicWith("retry", "again");
        // The delay outlasts the first consumer's exit, so the redelivery goes to the second one (a shorter
        // delay can bring it back to the first, which stops after one message and leaves it unanswered).
        CliRun nacked = consume("-t", "retry", "-g", "g", "--nack", "--delay", "1s", "-C", "1");
        assertThat(nacked.exit()).as(nacked.err()).isZero();
        assertThat(nacked.err()).contains("1 handled: 0 acked, 1 nacked, 0 rejected");

        CliRun rejected = consume("-t", "retry", "-g", "g", "--reject", "--reason", "cannot parse", "-C", "1",
                "-F", "json");
        assertThat(rejected.exit()).as(rejected.err()).isZero();
        assertThat(Json.MAPPER.readTree(rejected.out().strip()).path("attempt").asInt()).as("redelivered").isEqualTo(2);
        await().atMost(WAIT).until(() -> server.durableTopics().exists("retry.dlq")
                && server.durableTopics().deadLetters().depth("retry.dlq") == 1);
        assertThat(Cli.run("consume", "--grpc-target", grpcTarget, "-t", "retry", "-g", "g", "--ack", "--reject")
                .exit()).as("one answer only").isEqualTo(2);
    }

    @Test
    void execAnswersByTheCommandsExitStatus() {
        topicWith("work", "ok", "later", "bad");
        CliRun run = consume("-t", "work", "-g", "g", "-C", "3", "--exec",
                "read -r p; echo \"handled $p at $RATATOSKR_OFFSET\"; "
                        + "case \"$p\" in ok) exit 0;; later) exit 75;; *) exit 3;; esac");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly("handled ok at 0", "handled later at 1",
                "handled bad at 2");
        assertThat(run.err()).contains("3 handled: 1 acked, 1 nacked, 1 rejected");
        await().atMost(WAIT).until(() -> server.durableTopics().exists("work.dlq")
                && server.durableTopics().deadLetters().depth("work.dlq") == 1);
        assertThat(server.durableTopics().deadLetters().inspect("work.dlq", 0, 0, 10).getFirst().reason())
                .isEqualTo("--exec command exited with status 3");
    }

    @Test
    void subToAQueueFilterIsAGroupMemberOverMqttThatAcksWhatItPrinted() {
        topicWith("mqttjobs", "x", "y");
        CliRun run = Cli.run("sub", "--mqtt-url", mqttUrl, "-t", "$queue/mqtt-workers/mqttjobs", "-C", "2",
                "--timeout", "20s");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly("x", "y");
        await().atMost(WAIT).until(() -> group("mqttjobs", "mqtt-workers").lag() == 0);
    }

    @Test
    void subWithCleanFalseLeavesItsSessionOnTheBroker() {
        CliRun run = Cli.run("sub", "--mqtt-url", mqttUrl, "-i", "kept-session", "--clean=false", "-t", "cli/kept",
                "--timeout", "200ms");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(server.broker().session("kept-session")).as("the session outlives the connection").isNotNull();
        assertThat(Cli.run("sub", "--mqtt-url", mqttUrl, "-i", "clean-session", "-t", "cli/kept", "--timeout", "200ms")
                .exit()).isZero();
        await().atMost(WAIT).until(() -> server.broker().session("clean-session") == null);
    }

    @Test
    void consumingAMissingTopicExitsOneWithTheBrokersCode() {
        CliRun run = consume("-t", "missing", "-g", "g", "-C", "1");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("refused to consume missing/g").contains("does not exist");
    }
}
