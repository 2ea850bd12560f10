package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.Ack;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.Nack;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.Reject;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metric catalogue (docs/metrics.md) against a real broker after traffic on every path: MQTT
 * QoS 0/1/2 from 20 clients, a durable topic consumed by a gRPC consumer group with a nack and a
 * reject, a refused publish. The documentation and {@code /metrics} must agree both ways.
 */
class MetricsCatalogueTest {
    static final Path CATALOGUE = Path.of("..", "docs", "metrics.md");
    private static final int CLIENTS = 20;
    /** Most distinct values any label may take here: fixed sets (reason codes, methods), never clients. */
    private static final int MAX_LABEL_VALUES = 12;

    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static PrometheusText scraped;

    @BeforeAll
    static void trafficThenScrape() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(HttpConfig.DEFAULTS.withPort(0)));
        server.durableTopics().create("orders", TopicConfig.DEFAULTS);
        mqttTraffic();
        grpcGroupTraffic();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            PrometheusText t = PrometheusText.parse(scrape());
            return t.sum("ratatoskr_dlq_depth_messages", Map.of("topic", "orders.dlq")) == 1;
        });
        String text = scrape();
        Files.writeString(Path.of("target", "metrics-after-traffic.txt"), text); // kept for a look by hand
        scraped = PrometheusText.parse(text);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** 20 publishers at QoS 0, 1 and 2 to a subscriber, 3 of them into the durable topic, one to $SYS. */
    private static void mqttTraffic() throws Exception {
        String uri = "tcp://127.0.0.1:" + server.mqttPort();
        MqttClient sub = new MqttClient(uri, "catalogue-sub", new MemoryPersistence());
        CountDownLatch received = new CountDownLatch(CLIENTS);
        sub.connect(new MqttConnectOptions());
        sub.subscribe("live/#", 2, (topic, message) -> received.countDown());
        for (int i = 0; i < CLIENTS; i++) {
            MqttClient pub = new MqttClient(uri, "catalogue-pub-" + i, new MemoryPersistence());
            pub.connect(new MqttConnectOptions());
            pub.publish("live/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), i % 3, false);
            if (i < 3) {
                pub.publish("orders/eu", ("o" + i).getBytes(StandardCharsets.UTF_8), 1, false);
            }
            if (i == 0) {
                // The broker owns $SYS: a 3.1.1 client is acknowledged and its message dropped, and counted.
                pub.publish("$SYS/forged", new byte[] {1}, 1, false);
            }
            pub.disconnect();
            pub.close();
        }
        assertThat(received.await(10, TimeUnit.SECONDS)).as("the subscriber got every message").isTrue();
        sub.disconnect();
        sub.close();
    }

    /** A gRPC publish, a refused one, and a consumer group: one delivery nacked (redelivered), one rejected. */
    private static void grpcGroupTraffic() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .build();
        try {
            RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).publish(PublishRequest
                    .newBuilder().setTopic("orders").setPayload(ByteString.copyFromUtf8("g")).setQos(1).build());
            assertThatThrownBy(() -> RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .publish(PublishRequest.newBuilder().setTopic("$SYS/forged").build()))
                    .hasMessageContaining("$SYS");
            LinkedBlockingQueue<ConsumeResponse> responses = new LinkedBlockingQueue<>();
            StreamObserver<ConsumeRequest> requests = RatatoskrGrpc.newStub(channel).consume(new StreamObserver<>() {
                @Override
                public void onNext(ConsumeResponse r) {
                    responses.add(r);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            });
            requests.onNext(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic("orders")
                    .setGroup("billing").setInitialCredits(100)).build());
            assertThat(poll(responses).hasStarted()).isTrue();
            boolean nacked = false;
            boolean rejected = false;
            Set<String> done = new HashSet<>();
            while (done.size() < 4) { // 3 from MQTT, 1 from gRPC
                ConsumeResponse r = poll(responses);
                if (!r.hasMessage()) {
                    continue;
                }
                String id = r.getMessage().getMessageId();
                if (!nacked) {
                    nacked = true;
                    requests.onNext(ConsumeRequest.newBuilder().setNack(Nack.newBuilder().setMessageId(id)
                            .setDelayMs(1)).build());
                } else if (!rejected && r.getMessage().getAttempt() == 1) {
                    rejected = true;
                    done.add(id);
                    requests.onNext(ConsumeRequest.newBuilder().setReject(Reject.newBuilder().setMessageId(id)
                            .setReason("unparseable")).build());
                } else {
                    done.add(id);
                    requests.onNext(ConsumeRequest.newBuilder().setAck(Ack.newBuilder().setMessageId(id)).build());
                }
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.consumerGroups().describe("orders", "billing").join().lag() == 0);
            requests.onCompleted();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static ConsumeResponse poll(LinkedBlockingQueue<ConsumeResponse> q) throws InterruptedException {
        ConsumeResponse r = q.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a Consume response within 10 s").isNotNull();
        return r;
    }

    private static String scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The Prometheus names docs/metrics.md lists: the first backticked name of each catalogue table row. */
    static Set<String> catalogue() throws IOException {
        return catalogue(false);
    }

    /**
     * @param eagerOnly only the rows whose type is not marked ¹ (meters that exist before their first
     *     event)
     */
    private static Set<String> catalogue(boolean eagerOnly) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(ratatoskr_[a-z0-9_]+)` \\| ([^|]*) \\|")
                .matcher(Files.readString(CATALOGUE));
        while (m.find()) {
            if (!eagerOnly || !m.group(2).contains("\u00b9")) {
                names.add(m.group(1));
            }
        }
        assertThat(names).as("catalogue rows in %s", CATALOGUE).hasSizeGreaterThan(30);
        return names;
    }

    private static Set<String> scrapedFamilies(Set<String> catalogue) {
        Set<String> families = new TreeSet<>();
        for (PrometheusText.Sample s : scraped.samples()) {
            if (s.name().startsWith("ratatoskr_")) {
                families.add(PrometheusText.family(s.name(), catalogue));
            }
        }
        return families;
    }

    @Test
    void everyCatalogueMetricIsExposed() throws IOException {
        Set<String> catalogue = catalogue();
        Set<String> scrapedFamilies = scrapedFamilies(catalogue);
        assertThat(scrapedFamilies).containsAll(catalogue(true));
        // Those that appear at their first event did here too, but for the ones this traffic never causes.
        assertThat(scrapedFamilies).contains("ratatoskr_messages_refused_total", "ratatoskr_grpc_calls_seconds",
                "ratatoskr_http_requests_total");
    }

    @Test
    void everyExposedRatatoskrMetricIsInTheCatalogue() throws IOException {
        Set<String> catalogue = catalogue();
        assertThat(catalogue).containsAll(scrapedFamilies(catalogue));
    }

    @Test
    void trafficMovesMessagesLatenciesStorageAndDeadLetters() {
        for (int qos = 0; qos <= 2; qos++) {
            assertThat(scraped.sum("ratatoskr_messages_received_total", Map.of("protocol", "mqtt", "qos", "" + qos)))
                    .as("MQTT QoS %d received", qos).isGreaterThanOrEqualTo(CLIENTS / 3);
            assertThat(scraped.sum("ratatoskr_messages_sent_total", Map.of("protocol", "mqtt", "qos", "" + qos)))
                    .as("MQTT QoS %d sent", qos).isGreaterThanOrEqualTo(CLIENTS / 3);
        }
        assertThat(scraped.sum("ratatoskr_messages_received_bytes_total", Map.of("protocol", "mqtt")))
                .isGreaterThanOrEqualTo(2 * CLIENTS);
        assertThat(scraped.sum("ratatoskr_messages_received_total", Map.of("protocol", "grpc", "qos", "1")))
                .isEqualTo(1);
        assertThat(scraped.sum("ratatoskr_messages_sent_total", Map.of("protocol", "grpc")))
                .as("group deliveries, the redelivery included").isGreaterThanOrEqualTo(5);
        assertThat(scraped.sum("ratatoskr_messages_delivery_latency_seconds_count", Map.of("protocol", "mqtt")))
                .isGreaterThanOrEqualTo(CLIENTS);
        assertThat(scraped.sum("ratatoskr_messages_delivery_latency_seconds_count", Map.of("protocol", "grpc")))
                .isGreaterThanOrEqualTo(5);
        assertThat(scraped.sum("ratatoskr_log_append_latency_seconds_count", Map.of("area", "topics")))
                .isGreaterThanOrEqualTo(4);
        assertThat(scraped.sum("ratatoskr_log_fsync_latency_seconds_count", Map.of())).isPositive();
        assertThat(scraped.sum("ratatoskr_dlq_depth_messages", Map.of("topic", "orders.dlq"))).isEqualTo(1);
        assertThat(scraped.sum("ratatoskr_group_messages_redelivered_total",
                Map.of("topic", "orders", "group", "billing", "reason", "nack"))).isGreaterThanOrEqualTo(1);
        assertThat(scraped.sum("ratatoskr_messages_refused_total", Map.of("protocol", "mqtt", "reason", "sys_topic")))
                .isEqualTo(1);
        assertThat(scraped.sum("ratatoskr_messages_refused_total",
                Map.of("protocol", "grpc", "reason", "invalid_topic_name"))).isEqualTo(1);
        assertThat(scraped.sum("ratatoskr_disk_used_bytes", Map.of("area", "topics"))).isPositive();
        assertThat(scraped.sum("ratatoskr_disk_free_bytes", Map.of())).isPositive();
        assertThat(scraped.sum("ratatoskr_mqtt_received_bytes_total", Map.of())).isPositive();
    }

    @Test
    void noLabelTakesAValuePerClient() {
        Map<String, Set<String>> values = new HashMap<>();
        for (PrometheusText.Sample s : scraped.samples()) {
            if (!s.name().startsWith("ratatoskr_")) {
                continue;
            }
            s.labels().forEach((label, value) -> {
                if (!label.equals("le")) { // histogram bucket bounds: fixed
                    values.computeIfAbsent(s.name() + "{" + label + "}", k -> new TreeSet<>()).add(value);
                }
            });
        }
        assertThat(values).allSatisfy((metricLabel, seen) -> {
            assertThat(seen).as(metricLabel).hasSizeLessThanOrEqualTo(MAX_LABEL_VALUES)
                    .noneMatch(v -> v.startsWith("catalogue-"));
        });
    }
}
