package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.http.Json;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.testing.PahoMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ratatoskr pub} and {@code ratatoskr sub} against a running broker, with Paho and mosquitto on the other end. */
class PubSubCommandTest {
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
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(HttpConfig.DEFAULTS.withPort(0)));
        mqttUrl = "tcp://127.0.0.1:" + server.mqttPort();
        grpcTarget = "127.0.0.1:" + server.grpcPort();
        server.durableTopics().create("orders", TopicConfig.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A Paho MQTT 5 subscriber to {@code filter}; what it receives goes to the queue. */
    private static MqttClient subscriber(String filter, BlockingQueue<MqttMessage> received) throws Exception {
        MqttClient paho = new MqttClient(mqttUrl, "paho-" + filter.replace('/', '-'), new MemoryPersistence());
        paho.setCallback(new PahoMessages((topic, message) -> received.add(message)));
        paho.connect(new MqttConnectionOptions());
        paho.subscribe(new String[] {filter}, new int[] {1});
        return paho;
    }

    @Test
    void pubOverMqtt5CarriesKeyPropertiesAndContentTypeToAPahoSubscriber() throws Exception {
        BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttClient paho = subscriber("cli/props", received);
        try {
            CliRun pub = Cli.run("pub", "--mqtt-url", mqttUrl, "-t", "cli/props", "-q", "1", "--key", "customer-7",
                    "-P", "source=web", "--content-type", "application/json", "-m", "{\"id\": 42}");
            assertThat(pub.exit()).as(pub.err()).isZero();
            assertThat(pub.out()).contains("sent 1, acked 1, failed 0");

            MqttMessage m = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"id\": 42}");
            assertThat(m.getProperties().getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
                    .contains(org.assertj.core.groups.Tuple.tuple("source", "web"),
                            org.assertj.core.groups.Tuple.tuple("message-key", "customer-7"));
            assertThat(m.getProperties().getContentType()).isEqualTo("application/json");
        } finally {
            paho.disconnect();
            paho.close();
        }
    }

    @Test
    void pubKeepsWithinTheBrokersReceiveMaximumSoEveryMessageIsAcked() throws Exception {
        // The broker lets a client have 4 QoS 1 publishes unacknowledged; pub's default window is 64.
        try (RatatoskrServer small = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("small"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0).withReceiveMaximum(4))
                .withGrpc(null).withHttp(null))) {
            CliRun pub = Cli.run("pub", "--mqtt-url", "tcp://127.0.0.1:" + small.mqttPort(), "-t", "cli/window",
                    "-q", "1", "-m", "x", "--count", "500");
            assertThat(pub.exit()).as(pub.err()).isZero();
            assertThat(pub.out()).contains("sent 500, acked 500, failed 0");
            assertThat(pub.err()).doesNotContain("refused");
        }
    }

    @Test
    void pubWithRetainIsWhatMosquittoSubReceives() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_sub")), "mosquitto_sub is installed");
        CliRun pub = Cli.run("pub", "--mqtt-url", mqttUrl, "-t", "cli/retained", "--retain", "-m", "kept");
        assertThat(pub.exit()).as(pub.err()).isZero();

        Process mosquitto = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(server.mqttPort()),
                "-t", "cli/retained", "-C", "1", "-W", "10", "-v").redirectErrorStream(true).start();
        assertThat(mosquitto.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(mosquitto.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                .isEqualTo("cli/retained kept");
        assertThat(mosquitto.exitValue()).isZero();
    }

    @Test
    void pubFromStdinLinesPublishesEachLineInOrder() throws Exception {
        BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttClient paho = subscriber("cli/lines", received);
        try {
            CliRun pub = Cli.withStdin("first\nsecond\nthird\n", "pub", "--mqtt-url", mqttUrl, "-t", "cli/lines",
                    "--stdin", "--lines");
            assertThat(pub.exit()).as(pub.err()).isZero();
            assertThat(pub.out()).contains("sent 3, acked 3, failed 0");
            for (String expected : List.of("first", "second", "third")) {
                MqttMessage m = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(m).isNotNull();
                assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo(expected);
            }
        } finally {
            paho.disconnect();
            paho.close();
        }
    }

    @Test
    void pubOverMqtt311RepeatsWithCountAndRefusesMqtt5OnlyOptions() throws Exception {
        CliRun pub = Cli.run("pub", "--mqtt-url", mqttUrl, "--mqtt-version", "3.1.1", "-t", "orders/eu", "-m", "o", "--count",
                "20", "--progress");
        assertThat(pub.exit()).as(pub.err()).isZero();
        assertThat(pub.out()).contains("sent 20, acked 20, failed 0");
        assertThat(pub.err()).as("the --progress line").contains("20 acked, 0 failed");
        assertThat(server.durableTopics().describe("orders").messages()).isGreaterThanOrEqualTo(20);

        CliRun quiet = Cli.run("pub", "--mqtt-url", mqttUrl, "-t", "cli/quiet", "-m", "o", "--count", "5");
        assertThat(quiet.err()).as("no progress line when stderr is not a terminal").isEmpty();

        CliRun usage = Cli.run("pub", "--mqtt-url", mqttUrl, "--mqtt-version", "3.1.1", "-t", "x", "--key", "k", "-m", "o");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("MQTT 3.1.1 has no properties");
        assertThat(Cli.run("pub", "-t", "x").exit()).as("no message source").isEqualTo(2);
    }

    @Test
    void pubOverGrpcPrintsTheStoredPosition() {
        CliRun pub = Cli.run("pub", "--grpc", "--grpc-target", grpcTarget, "-t", "orders", "--key", "k1",
                "--idempotency-key", "order-1", "-m", "one");
        assertThat(pub.exit()).as(pub.err()).isZero();
        assertThat(pub.out()).containsPattern("stored at orders/0@\\d+ \\(id [0-9a-f-]{36}\\)")
                .contains("sent 1, acked 1, failed 0");

        CliRun again = Cli.run("pub", "--grpc", "--grpc-target", grpcTarget, "-t", "orders", "--key", "k1",
                "--idempotency-key", "order-1", "-m", "one");
        assertThat(again.out()).contains("duplicate of the message stored at orders/0@");
    }

    @Test
    void refusedPublishesExitOneWithTheReason() {
        CliRun mqtt = Cli.run("pub", "--mqtt-url", mqttUrl, "-t", "$SYS/forged", "-q", "1", "-m", "x");
        assertThat(mqtt.exit()).isEqualTo(1);
        assertThat(mqtt.err()).contains("reason code 0x87 (not authorized)");
        assertThat(mqtt.out()).contains("sent 1, acked 0, failed 1");

        CliRun grpc = Cli.run("pub", "--grpc", "--grpc-target", grpcTarget, "-t", "nowhere", "-m", "x");
        assertThat(grpc.exit()).isEqualTo(1);
        assertThat(grpc.err()).contains("TOPIC_NOT_FOUND (NOT_FOUND)");

        CliRun unreachable = Cli.run("pub", "--mqtt-url", "tcp://127.0.0.1:1", "-t", "x", "-m", "x");
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot connect to tcp://127.0.0.1:1");
    }

    @Test
    void subPrintsJsonLinesOfWhatAPahoClientPublishesAndExitsAfterCount() throws Exception {
        CompletableFuture<CliRun> sub = CompletableFuture.supplyAsync(() -> Cli.run("sub", "--mqtt-url", mqttUrl,
                "-t", "cli/json/+", "-t", "cli/other", "-F", "json", "-C", "2", "--timeout", "20s"));
        await().atMost(WAIT).until(() -> server.broker().subscriberCount("cli/json/a") > 0);
        MqttClient paho = new MqttClient(mqttUrl, "paho-json-publisher", new MemoryPersistence());
        paho.connect(new MqttConnectionOptions());
        try {
            MqttMessage text = new MqttMessage("hello".getBytes(StandardCharsets.UTF_8), 1, false, null);
            MqttProperties props = new MqttProperties();
            props.setUserProperties(List.of(new UserProperty("trace", "t-1")));
            text.setProperties(props);
            paho.publish("cli/json/a", text);
            paho.publish("cli/json/b", new MqttMessage(new byte[] {(byte) 0xff, 0x00, 0x01}, 0, false, null));
        } finally {
            paho.disconnect();
            paho.close();
        }
        CliRun run = sub.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(run.exit()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.path("topic").asText()).isEqualTo("cli/json/a");
        assertThat(first.path("payload").asText()).isEqualTo("hello");
        assertThat(first.path("payloadEncoding").asText()).isEqualTo("utf-8");
        assertThat(first.path("qos").asInt()).isEqualTo(1);
        assertThat(first.path("properties").path("trace").asText()).isEqualTo("t-1");
        JsonNode binary = Json.MAPPER.readTree(lines.get(1));
        assertThat(binary.path("payloadEncoding").asText()).isEqualTo("base64");
        assertThat(binary.path("payload").asText()).isEqualTo("/wAB");
    }

    @Test
    void subTimesOutWithExitThreeBeforeTheCountAndZeroWithoutOne() {
        CliRun counted = Cli.run("sub", "--mqtt-url", mqttUrl, "-t", "cli/silent", "-C", "1", "--timeout", "300ms");
        assertThat(counted.exit()).isEqualTo(3);
        assertThat(counted.err()).contains("no message for the --timeout; 0 received");
        CliRun drained = Cli.run("sub", "--mqtt-url", mqttUrl, "-t", "cli/silent", "--timeout", "300ms");
        assertThat(drained.exit()).isZero();
        CliRun refused = Cli.run("sub", "--mqtt-url", mqttUrl, "-t", "$queue/g/no-such-topic", "--timeout", "1s");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("refused the subscription to '$queue/g/no-such-topic'")
                .contains("0x8F");
    }

    @Test
    void subOverGrpcPrintsVerboseLinesWithTheMetadata() throws Exception {
        CompletableFuture<CliRun> sub = CompletableFuture.supplyAsync(() -> Cli.run("sub", "--grpc", "--grpc-target",
                grpcTarget, "-t", "orders/#", "-F", "verbose", "-C", "1", "--timeout", "20s"));
        // The subscription is live from when the broker registers it: publish until the command has one.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Cli.run("pub", "--mqtt-url", mqttUrl, "-t", "orders/us", "-P", "from=cli", "-m", "via-mqtt");
            return sub.isDone();
        });
        CliRun run = sub.get();
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly("orders/us [from=cli] via-mqtt");
    }
}
