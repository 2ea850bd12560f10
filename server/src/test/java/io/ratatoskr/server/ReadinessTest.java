package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.PublishReceipt;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.testkit.FaultyFileChannel;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /ready} of a real node: READY once it listens and its storage is recovered; NOT_READY,
 * naming the partition, while a durable-topic partition refuses writes after a disk fault; READY
 * again once the partition is recovered; NOT_READY, naming the step, while a restarting node recovers
 * its storage. {@code /health} (liveness) stays UP throughout.
 */
class ReadinessTest {
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readyWhileStorageTakesWritesAndNotReadyNamingThePartitionThatRefusesThem() throws Exception {
        FaultyFileChannel.Faults sick = new FaultyFileChannel.Faults();
        FaultyFileChannel.Faults healthy = new FaultyFileChannel.Faults();
        Path sickDir = dir.resolve("topics").resolve("orders").toAbsolutePath();
        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(HttpConfig.DEFAULTS.withPort(0));
        try (RatatoskrServer server = RatatoskrServer.start(config, env -> env.withChannels((path, options) ->
                new FaultyFileChannel(FileChannel.open(path, options),
                        path.toAbsolutePath().startsWith(sickDir) ? sick : healthy)))) {
            server.durableTopics().create("orders", TopicConfig.DEFAULTS);

            HttpResponse<String> ready = get(server, "/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\" : \"READY\"").contains("\"mqtt\"").contains("\"grpc\"")
                    .contains("\"storage\"").contains("\"topics\"").contains("\"state\"").doesNotContain("DOWN");

            sick.failForce(true);
            assertThat(publish(server, "orders")).as("the broker refuses the message it cannot store")
                    .failsWithin(Duration.ofSeconds(5));

            HttpResponse<String> notReady = get(server, "/ready");
            assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"status\" : \"NOT_READY\"").contains("orders/0")
                    .contains("fsync failed");
            assertThat(server.readiness().checks().get("topics").up()).isFalse();
            assertThat(server.readiness().checks().get("mqtt").up()).as("only the failing check is down").isTrue();
            assertThat(get(server, "/health").statusCode()).as("still alive").isEqualTo(200);

            sick.heal();
            assertThat(server.durableTopics().recoverFailedPartitions()).isZero();
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aStoppedNodeIsNotReady() throws Exception {
        RatatoskrServer server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null));
        assertThat(server.readiness().ready()).isTrue();
        assertThat(server.readiness().checks()).doesNotContainKey("grpc");

        server.close();

        Readiness after = server.readiness();
        assertThat(after.status()).isEqualTo(Readiness.NOT_READY);
        assertThat(after.checks().get("storage").reason()).isEqualTo("the node is stopping");
        assertThat(after.checks().get("mqtt").up()).isFalse();
    }

    @Test
    void whileTheStorageRecoversReadyAnswers503NamingTheStepAndTheApiRefusesCalls() throws Exception {
        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null)
                .withHttp(HttpConfig.DEFAULTS.withPort(0));
        try (RatatoskrServer first = RatatoskrServer.start(config)) {
            first.durableTopics().create("orders", TopicConfig.DEFAULTS);
        }
        // The restart's recovery of the topic's files waits until the test lets it go on.
        CountDownLatch recoveryMayGoOn = new CountDownLatch(1);
        int httpPort = freePort();
        CompletableFuture<RatatoskrServer> started = CompletableFuture.supplyAsync(() -> {
            try {
                return RatatoskrServer.start(config.withHttp(HttpConfig.DEFAULTS.withPort(httpPort)),
                        env -> env.withChannels((path, options) -> {
                            awaitUninterruptibly(recoveryMayGoOn);
                            return FileChannel.open(path, options);
                        }));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> ready = get(httpPort, "/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                assertThat(ready.body()).contains("NOT_READY").contains("recovering durable topics");
            });
            assertThat(get(httpPort, "/health").statusCode()).as("alive while it recovers").isEqualTo(200);
            HttpResponse<String> metrics = get(httpPort, "/metrics");
            assertThat(metrics.statusCode()).as("scraped while it recovers: " + metrics.body()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
            HttpResponse<String> topics = get(httpPort, "/api/v1/topics");
            assertThat(topics.statusCode()).as(topics.body()).isEqualTo(503);
            assertThat(topics.body()).contains("\"unavailable\"").contains("the node is starting");
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cli = Main.commandLine();
            cli.setOut(new java.io.PrintWriter(out, true));
            cli.setErr(new java.io.PrintWriter(err, true));
            assertThat(cli.execute("status", "--url", "http://127.0.0.1:" + httpPort)).as(err.toString()).isEqualTo(1);
            assertThat(out.toString()).as("status lists the checks of a starting node")
                    .containsPattern("ready +NOT_READY").contains("recovering durable topics");
            assertThat(started).isNotDone();
        } finally {
            recoveryMayGoOn.countDown();
        }
        try (RatatoskrServer server = started.get(30, TimeUnit.SECONDS)) {
            assertThat(get(httpPort, "/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> topics = get(httpPort, "/api/v1/topics");
            assertThat(topics.statusCode()).isEqualTo(200);
            assertThat(topics.body()).as("recovered").contains("\"orders\"");
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static CompletableFuture<PublishReceipt> publish(RatatoskrServer server, String topic) {
        Message m = new Message(topic + "/eu", "m".getBytes(StandardCharsets.UTF_8), 1, false,
                MessageProperties.EMPTY, "readiness", System.currentTimeMillis());
        return server.durableTopics().publish(topic, m, PublishOptions.NONE);
    }

    private HttpResponse<String> get(RatatoskrServer server, String path) throws Exception {
        return get(server.httpPort(), path);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
