package io.ratatoskr.bench.kafka;

import io.ratatoskr.bench.mqtt.BrokerMeter;
import io.ratatoskr.bench.mqtt.LoadResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Kafka load generator briefly against a Kafka node in this JVM, so that the Kafka side of the
 * durable comparison cannot rot unnoticed: it must produce, consume, count and measure sanely.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaLoadTest {
    @TempDir
    static Path dir;
    private static KafkaNode node;

    @BeforeAll
    static void startKafka() throws Exception {
        node = KafkaNode.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        if (node != null) {
            node.close();
        }
    }

    private static KafkaSpec spec(int producers, int consumers, int partitions, boolean fsync, long preload) {
        return new KafkaSpec(node.bootstrap(), producers, consumers, partitions, fsync, 256, Duration.ofMillis(1500),
                Duration.ofMillis(300), 16, 0, preload, Duration.ofSeconds(30), Duration.ofSeconds(10), 1, 64 * 1024,
                ProcessHandle.current().pid(), 100, "kafka-test", Map.of("broker", "kafka"));
    }

    /** A run, with the memory figures of the broker (this JVM, which runs Kafka) as KafkaLoad reports them. */
    private static LoadResult run(KafkaSpec spec) throws InterruptedException {
        BrokerMeter meter = new BrokerMeter(spec.brokerPid(), spec.clockTicks(), null);
        return new KafkaRun(spec, new PrintStream(new ByteArrayOutputStream()), meter).run()
                .withResources(meter.resources());
    }

    @Test
    void producersWithAnFsyncPerAppendGetEveryRecordAcknowledged() throws InterruptedException {
        LoadResult r = run(spec(2, 0, 2, true, 0));

        assertThat(r.failures()).isEmpty();
        assertThat(r.published().total()).isPositive();
        assertThat(r.acked().total()).isEqualTo(r.published().total());
        assertThat(r.acked().measured()).isPositive();
        assertThat(r.unacknowledged()).isZero();
        assertThat(r.ackRefused()).isZero();
        assertThat(r.resources().rssMiB()).isPositive();
        assertThat(r.resources().peakRssMiB()).isGreaterThanOrEqualTo(r.resources().rssMiB());
        assertThat(r.countedName()).isEqualTo("acked");
        assertThat(r.ackLatency().count()).isEqualTo(r.published().measured());
        assertThat(r.settings().durable().durability()).isEqualTo("fsync");
        assertThat(r.settings().mqttVersion()).isNull();
    }

    @Test
    void aLiveConsumerGroupGetsEveryRecordOnceWithItsLatency() throws InterruptedException {
        LoadResult r = run(spec(2, 2, 2, false, 0));

        assertThat(r.failures()).isEmpty();
        assertThat(r.expectedDeliveries()).isEqualTo(r.published().total());
        assertThat(r.delivered().total()).isEqualTo(r.published().total());
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.countedName()).isEqualTo("delivered");
        assertThat(r.latency().count()).isPositive();
        assertThat(r.latency().p50()).isPositive();
    }

    @Test
    void aDrainRunConsumesTheWholeBacklogAndMeasuresOnlyTheConsumers() throws InterruptedException {
        LoadResult r = run(spec(2, 2, 4, false, 5_000));

        assertThat(r.failures()).isEmpty();
        assertThat(r.preload().messages()).isEqualTo(5_000);
        assertThat(r.published().total()).isEqualTo(5_000);
        assertThat(r.published().measured()).isZero();
        assertThat(r.acked().measured()).isZero();
        assertThat(r.delivered().total()).isEqualTo(5_000);
        assertThat(r.delivered().measured()).isEqualTo(5_000);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.measuredSeconds()).isPositive().isLessThan(1.5);
        assertThat(r.latency().count()).isZero();
        assertThat(r.settings().durable().preload()).isEqualTo(5_000);
    }
}
