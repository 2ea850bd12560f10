package io.ratatoskr.bench.mqtt;

import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the load generator for a couple of seconds against an in-process Ratatoskr, so that the tool cannot
 * rot unnoticed: it must deliver, count and measure sanely. Not a benchmark; the rates are modest.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MqttLoadTest {
    @TempDir
    static Path dataDir;
    private static RatatoskrServer server;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dataDir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
    }

    @AfterAll
    static void stopBroker() {
        if (server != null) {
            server.close();
        }
    }

    private static LoadSpec spec(MqttVersion version, int publishers, int subscribers, String topics, int qos,
                                 double rate, Duration duration) {
        return new LoadSpec("127.0.0.1", server.mqttPort(), version, publishers, subscribers, TopicLayout.parse(topics),
                qos, 64, rate, duration, Duration.ofMillis(300), 32, 2, 60, Duration.ofSeconds(5),
                Duration.ofSeconds(10), ProcessHandle.current().pid(), 100, "bench-test", Map.of("broker", "ratatoskr"));
    }

    private static LoadSpec durableSpec(int publishers, int members, String durability, long preload) {
        DurableSpec durable = new DurableSpec(URI.create("http://127.0.0.1:" + server.httpPort()), null, 2,
                durability, preload, Duration.ofSeconds(20), true, false);
        TopicLayout layout = members > 0 ? new TopicLayout.Queue("g") : TopicLayout.parse("per-publisher");
        return new LoadSpec("127.0.0.1", server.mqttPort(), MqttVersion.V5, publishers, members, layout, 1, 256, 0,
                Duration.ofSeconds(1), Duration.ofMillis(300), 16, 2, 60, Duration.ofSeconds(10),
                Duration.ofSeconds(10), ProcessHandle.current().pid(), 100, "bench-test",
                Map.of("broker", "ratatoskr"), false, durable);
    }

    private static LoadResult run(LoadSpec spec) throws InterruptedException {
        return new LoadRun(spec, new PrintStream(new ByteArrayOutputStream())).run();
    }

    @Test
    void qos1AtAFixedRateDeliversEveryMessageOnceAndMeasuresLatency() throws InterruptedException {
        LoadResult r = run(spec(MqttVersion.V3_1_1, 2, 2, "per-publisher", 1, 2000, Duration.ofMillis(1500)));

        assertThat(r.failures()).isEmpty();
        assertThat(r.settings().fanOutMin()).isEqualTo(1);
        assertThat(r.published().total()).isGreaterThan(2000);
        assertThat(r.published().perSecond()).isBetween(1500.0, 2500.0);
        assertThat(r.acked().total()).isEqualTo(r.published().total());
        assertThat(r.expectedDeliveries()).isEqualTo(r.published().total());
        assertThat(r.delivered().total()).isEqualTo(r.expectedDeliveries());
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.unacknowledged()).isZero();
        assertThat(r.latency().count()).isEqualTo(r.published().measured());
        assertThat(r.latency().p50()).isPositive().isLessThanOrEqualTo(r.latency().p99());
        assertThat(r.latency().p99()).isLessThanOrEqualTo(r.latency().max());
        assertThat(r.ackLatency().count()).isEqualTo(r.published().measured());
        assertThat(r.cpu().generatorSeconds()).isPositive();
        assertThat(r.cpu().brokerSeconds()).isNotNull().isPositive();
        assertThat(r.labels()).containsEntry("broker", "ratatoskr");
    }

    @Test
    void qos1OverMqtt5FansOutToWildcardSubscribersWithoutLoss() throws InterruptedException {
        LoadResult r = run(spec(MqttVersion.V5, 2, 3, "wildcard", 1, 1000, Duration.ofSeconds(1)));

        assertThat(r.failures()).isEmpty();
        assertThat(r.settings().mqttVersion()).isEqualTo("5");
        assertThat(r.settings().fanOutMax()).isEqualTo(3);
        assertThat(r.expectedDeliveries()).isEqualTo(3 * r.published().total());
        assertThat(r.delivered().total()).isEqualTo(r.expectedDeliveries());
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.ackRefused()).isZero();
    }

    @Test
    void qos2ExchangesCompleteBothWaysAndDeliverEveryMessageExactlyOnce() throws InterruptedException {
        LoadResult r = run(spec(MqttVersion.V5, 2, 2, "per-publisher", 2, 1000, Duration.ofSeconds(1)));

        assertThat(r.failures()).isEmpty();
        assertThat(r.settings().qos()).isEqualTo(2);
        assertThat(r.acked().total()).isEqualTo(r.published().total()).isPositive();
        assertThat(r.unacknowledged()).isZero();
        assertThat(r.delivered().total()).isEqualTo(r.expectedDeliveries());
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.ackLatency().count()).isEqualTo(r.published().measured());
    }

    @Test
    void aSharedSubscriptionGivesEachMessageToExactlyOneMemberOfTheGroup() throws InterruptedException {
        LoadResult r = run(spec(MqttVersion.V3_1_1, 2, 3, "shared:g", 1, 1500, Duration.ofSeconds(1)));

        assertThat(r.failures()).isEmpty();
        assertThat(r.settings().topics()).isEqualTo("shared:g");
        assertThat(r.settings().fanOutMax()).isEqualTo(1);
        assertThat(r.expectedDeliveries()).isEqualTo(r.published().total()).isPositive();
        assertThat(r.delivered().total()).isEqualTo(r.published().total());
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
    }

    @Test
    void fanInDeliversEveryPublishersMessagesToTheOneSubscriberAndReadsTheBrokersMemory()
            throws InterruptedException {
        LoadSpec spec = spec(MqttVersion.V3_1_1, 20, 1, "1", 1, 2000, Duration.ofSeconds(1));
        LoadResult r = new LoadRun(spec, new PrintStream(new ByteArrayOutputStream()),
                new BrokerMeter(spec.brokerPid(), spec.clockTicks(), null)).run();

        assertThat(r.failures()).isEmpty();
        assertThat(r.settings().fanOutMin()).isEqualTo(1);
        assertThat(r.delivered().total()).isEqualTo(r.published().total()).isPositive();
        assertThat(r.lost()).isZero();
        assertThat(r.resources().rssMiB()).isPositive();
        assertThat(r.resources().peakRssMiB()).isGreaterThanOrEqualTo(r.resources().rssMiB());
        assertThat(r.resources().gcPauses()).isNull();
    }

    @Test
    void qos0FlatOutDeliversAndAccountsForEveryMessage() throws InterruptedException {
        LoadResult r = run(spec(MqttVersion.V3_1_1, 1, 2, "1", 0, 0, Duration.ofSeconds(1)));

        assertThat(r.failures()).isEmpty();
        assertThat(r.acked()).isNull();
        assertThat(r.delivered().measured()).isPositive();
        assertThat(r.delivered().total() - r.duplicates()).isEqualTo(r.expectedDeliveries() - r.lost());
        assertThat(r.unexpected()).isZero();
    }

    @Test
    void resultsSurviveTheJsonRoundTripAndFeedTheComparison(@TempDir Path dir) throws Exception {
        LoadSpec base = spec(MqttVersion.V3_1_1, 1, 1, "per-publisher", 1, 500, Duration.ofMillis(500));
        LoadResult r = run(base);
        MqttLoad.write(r, dir.resolve("a.json"));
        LoadSpec asBaseline = new LoadSpec(base.host(), base.port(), base.version(), 1, 1, base.layout(), 1, 64, 500,
                base.duration(), base.warmup(), 32, 2, 60, base.drainTimeout(), base.connectTimeout(), 0, 100,
                "bench-test", Map.of("broker", "mosquitto", "scenario", "s"));
        MqttLoad.write(run(asBaseline), dir.resolve("b.json"));

        List<LoadResult> read = CompareReport.read(dir);

        assertThat(read).hasSize(2);
        assertThat(read.getFirst()).isEqualTo(r);
        String report = CompareReport.render(read, "ratatoskr", "mosquitto", 1.5);
        assertThat(report).contains("| ? | ratatoskr | 1 |").contains("| s | mosquitto | 1 |");
    }

    @Test
    void durablePublishesAreAllAcknowledgedAndTheRunsTopicIsDeletedAfterwards() throws Exception {
        LoadResult r = run(durableSpec(2, 0, "fsync", 0));

        assertThat(r.failures()).isEmpty();
        assertThat(r.acked().total()).isEqualTo(r.published().total()).isPositive();
        assertThat(r.acked().measured()).isPositive();
        assertThat(r.ackRefused()).isZero();
        assertThat(r.unacknowledged()).isZero();
        assertThat(r.countedName()).isEqualTo("acked");
        assertThat(r.settings().durable().partitions()).isEqualTo(2);
        assertThat(r.settings().durable().durability()).isEqualTo("fsync");
        HttpResponse<String> topic = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.httpPort() + "/api/v1/topics/" + r.settings().durable().topic()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(topic.statusCode()).isEqualTo(404);
    }

    @Test
    void consumerGroupMembersShareTheLiveMessagesEachOnceAcknowledgedByPuback() throws InterruptedException {
        LoadResult r = run(durableSpec(2, 3, "group", 0));

        assertThat(r.failures()).isEmpty();
        assertThat(r.settings().topics()).isEqualTo("queue:g");
        assertThat(r.settings().fanOutMax()).isEqualTo(1);
        assertThat(r.expectedDeliveries()).isEqualTo(r.published().total()).isPositive();
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.redelivered()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.delivered().total()).isEqualTo(r.published().total());
        assertThat(r.latency().count()).isPositive();
        assertThat(r.countedName()).isEqualTo("delivered");
    }

    @Test
    void aDrainRunMeasuresTheMembersEmptyingAPreloadedBacklog() throws InterruptedException {
        LoadResult r = run(durableSpec(2, 2, "group", 3_000));

        assertThat(r.failures()).isEmpty();
        assertThat(r.preload().messages()).isEqualTo(3_000);
        assertThat(r.acked().total()).isEqualTo(3_000);
        assertThat(r.published().measured()).isZero();
        assertThat(r.delivered().total()).isEqualTo(3_000);
        assertThat(r.delivered().measured()).isEqualTo(3_000);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.measuredSeconds()).isPositive().isLessThan(1.0);
        assertThat(r.settings().durable().group()).isEqualTo("g");
        assertThat(r.settings().durable().preload()).isEqualTo(3_000);
    }
}
