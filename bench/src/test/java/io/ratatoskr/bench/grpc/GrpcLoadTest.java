package io.ratatoskr.bench.grpc;

import io.ratatoskr.bench.mqtt.LoadResult;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs the gRPC load generator for about a second per scenario against an in-process Ratatoskr, so that the tool
 * cannot rot unnoticed: it must publish, consume, count and measure sanely, with no error. Not a benchmark.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GrpcLoadTest {
    @TempDir
    static Path dataDir;
    private static RatatoskrServer server;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dataDir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(null));
    }

    @AfterAll
    static void stopBroker() {
        if (server != null) {
            server.close();
        }
    }

    private static GrpcSpec spec(GrpcSpec.Scenario scenario, int clients, int window, int batch, double rate,
                                 long preload, int members) {
        return spec(scenario, clients, window, batch, rate, preload, members, 1);
    }

    private static GrpcSpec spec(GrpcSpec.Scenario scenario, int clients, int window, int batch, double rate,
                                 long preload, int members, int consumeBatch) {
        return new GrpcSpec("127.0.0.1", server.grpcPort(), scenario, clients, window, batch, 128, 2, "group", rate,
                Duration.ofSeconds(1), Duration.ofMillis(200), preload, members, 50, consumeBatch,
                Duration.ofSeconds(20),
                Duration.ofSeconds(5), ProcessHandle.current().pid(), 100, "grpc-test", Map.of("broker", "ratatoskr"), 1);
    }

    private static LoadResult run(GrpcSpec spec) throws InterruptedException {
        return new GrpcRun(spec, new PrintStream(new ByteArrayOutputStream())).run();
    }

    @Test
    void publishingAtAFixedRateWhileAGroupConsumesDeliversEveryMessageOnceAndMeasuresLatency()
            throws InterruptedException {
        LoadResult r = run(spec(GrpcSpec.Scenario.LATENCY, 2, 1, 0, 1000, 0, 2));

        assertThat(r.failures()).isEmpty();
        assertThat(r.published().total()).isGreaterThan(800);
        assertThat(r.acked().total()).isEqualTo(r.published().total());
        assertThat(r.ackRefused()).isZero();
        assertThat(r.delivered().total()).isEqualTo(r.published().total());
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.latency().count()).isEqualTo(r.published().measured());
        assertThat(r.latency().p50()).isPositive().isLessThanOrEqualTo(r.latency().p99());
        assertThat(r.ackLatency().p99()).isPositive();
        assertThat(r.cpu().brokerSeconds()).isNotNull().isPositive();
        assertThat(r.settings().mqttVersion()).isEqualTo(LoadResult.GRPC);
    }

    @Test
    void batchesPublishedFlatOutAreEachStoredAndAcknowledged() throws InterruptedException {
        LoadResult r = run(spec(GrpcSpec.Scenario.BATCH, 2, 2, 20, 0, 0, 0));

        assertThat(r.failures()).isEmpty();
        assertThat(r.acked().measured()).isPositive();
        assertThat(r.acked().total()).isEqualTo(r.published().total());
        assertThat(r.unacknowledged()).isZero();
        assertThat(r.ackRefused()).isZero();
    }

    @Test
    void messagesSentThroughTheClientsPublisherAreEachStoredAndConsumedOnce() throws InterruptedException {
        LoadResult r = run(spec(GrpcSpec.Scenario.PUBLISHER, 2, 16, 0, 0, 0, 1));

        assertThat(r.failures()).isEmpty();
        assertThat(r.acked().measured()).isPositive();
        assertThat(r.acked().total()).isEqualTo(r.published().total());
        assertThat(r.unacknowledged()).isZero();
        assertThat(r.delivered().total()).isEqualTo(r.acked().total());
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
    }

    @ParameterizedTest(name = "consume batch {0}")
    @ValueSource(ints = {1, 25})
    void aConsumerGroupDrainsTheWholePreloadedBacklog(int consumeBatch) throws InterruptedException {
        LoadResult r = run(spec(GrpcSpec.Scenario.CONSUME, 2, 2, 0, 0, 3_000, 2, consumeBatch));

        assertThat(r.failures()).isEmpty();
        assertThat(r.preload().messages()).isEqualTo(3_000);
        assertThat(r.delivered().total()).isEqualTo(3_000);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.delivered().perSecond()).isPositive();
    }

    @Test
    void optionsThatDoNotFitTheScenarioAreRefused() {
        assertThatThrownBy(() -> spec(GrpcSpec.Scenario.LATENCY, 1, 1, 0, 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
        assertThatThrownBy(() -> spec(GrpcSpec.Scenario.PUBLISH, 1, 1, 10, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--batch");
    }
}
