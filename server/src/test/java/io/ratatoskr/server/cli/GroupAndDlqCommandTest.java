package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.Main;
import io.ratatoskr.server.QueueSink;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ratatoskr group ...} and {@code ratatoskr dlq ...} against a running broker's admin API. The
 * tests share one group and run in order: look, replay, reset, delete.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupAndDlqCommandTest {
    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static String url;
    private static final QueueSink sink = new QueueSink();

    record Run(int exit, String out, String err) {}

    /** A topic "jobs" with 2 messages, a group "workers" whose member acked the first and rejected the second. */
    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
        url = "http://127.0.0.1:" + server.httpPort();
        server.durableTopics().create("jobs", TopicConfig.DEFAULTS);
        MqttClient publisher = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "cli-group-test",
                new MemoryPersistence());
        publisher.connect(new MqttConnectionOptions());
        publisher.publish("jobs", "job-1".getBytes(StandardCharsets.UTF_8), 1, false);
        publisher.publish("jobs", "job-2".getBytes(StandardCharsets.UTF_8), 1, false);
        publisher.disconnect();
        publisher.close();
        GroupMember member = server.consumerGroups().join("jobs", "workers", MemberOptions.named("worker-1"), sink);
        member.ack(sink.next().deliveryId()).join();
        member.reject(sink.next().deliveryId(), "cannot run job-2").join();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.durableTopics().exists("jobs.dlq")
                && server.durableTopics().deadLetters().depth("jobs.dlq") == 1);
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
        String[] withUrl = java.util.Arrays.copyOf(args, args.length + 2);
        withUrl[args.length] = "--url";
        withUrl[args.length + 1] = url;
        int exit = cli.execute(withUrl);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Order(1)
    void groupListAndDescribeShowMembersProgressAndDeadLetters() {
        Run list = run("group", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("TOPIC +GROUP +MEMBERS +LAG +IN-FLIGHT +DLQ +DLQ-DEPTH")
                .containsPattern("jobs +workers +1 +0 +0 +jobs.dlq +1");

        Run json = run("group", "list", "--topic", "jobs", "--json");
        assertThat(json.exit()).isZero();
        assertThat(json.out()).contains("\"group\" : \"workers\"").contains("\"deadLetterDepth\" : 1");

        Run describe = run("group", "describe", "jobs", "workers");
        assertThat(describe.exit()).as(describe.err()).isZero();
        assertThat(describe.out()).contains("group:              jobs/workers")
                .containsPattern("worker-1 +100 +0")
                .containsPattern("PARTITION +COMMITTED +END +LAG +PENDING")
                .containsPattern("0 +2 +2 +0 +0");

        Run missing = run("group", "describe", "jobs", "nobody");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("group_not_found").contains("HTTP 404");
        assertThat(run("group", "describe", "jobs").exit()).as("usage").isEqualTo(2);
    }

    @Test
    @Order(3)
    void groupResetOffsetsRedeliversAndRefusesABadPosition() throws Exception {
        Run bad = run("group", "reset-offsets", "jobs", "workers", "--to", "sometime");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("invalid_argument").contains("HTTP 400");

        Run reset = run("group", "reset-offsets", "jobs", "workers", "--to", "offset:1");
        assertThat(reset.exit()).as(reset.err()).isZero();
        assertThat(reset.out()).contains("reset jobs/workers to offset:1");
        var again = sink.next();
        assertThat(again.message().offset()).isEqualTo(1);
        assertThat(new String(again.message().message().payload(), StandardCharsets.UTF_8)).isEqualTo("job-2");
    }

    @Test
    @Order(2)
    void dlqListInspectAndReplayBringsTheMessageBackToTheGroup() throws Exception {
        Run list = run("dlq", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("TOPIC +DEPTH +MESSAGES").containsPattern("jobs.dlq +1 +1");

        Run inspect = run("dlq", "inspect", "jobs.dlq", "--partition", "0", "--from", "0", "--max", "10");
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        assertThat(inspect.out()).containsPattern("OFFSET +SOURCE +GROUP +ATTEMPTS +REPLAYED +REASON +PAYLOAD")
                .containsPattern("0 +jobs/0@1 +workers +1 +no +cannot run job-2 +job-2");

        Run json = run("dlq", "inspect", "jobs.dlq", "--json");
        assertThat(json.out()).contains("\"payloadEncoding\" : \"utf-8\"");

        Run replay = run("dlq", "replay", "jobs.dlq", "--max", "5");
        assertThat(replay.exit()).as(replay.err()).isZero();
        assertThat(replay.out()).containsPattern("replayed 1 dead letters of jobs.dlq");
        assertThat(server.durableTopics().deadLetters().depth("jobs.dlq")).isZero();
        assertThat(run("dlq", "inspect", "jobs.dlq").out()).containsPattern("0 +jobs/0@1 +workers +1 +yes");
        assertThat(sink.next().message().offset()).as("the group gets job-2 again, appended at 2").isEqualTo(2);

        Run missing = run("dlq", "replay", "nope.dlq");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("topic_not_found");
    }

    @Test
    @Order(4)
    void groupDeleteRemovesItOnce() {
        server.consumerGroups().configure("jobs", "doomed", io.ratatoskr.core.durable.GroupConfig.DEFAULTS).join();
        Run deleted = run("group", "delete", "jobs", "doomed");
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("deleted consumer group doomed of jobs");
        assertThat(server.consumerGroups().list("jobs")).extracting(g -> g.group()).doesNotContain("doomed");
        Run again = run("group", "delete", "jobs", "doomed");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("group_not_found");
    }
}
