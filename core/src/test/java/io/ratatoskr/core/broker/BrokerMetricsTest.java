package io.ratatoskr.core.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.session.DropReason;
import io.ratatoskr.testkit.ManualClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The broker's message meters: one family per direction by protocol and QoS, latency on the broker's clock. */
class BrokerMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock(1_000_000);
    private final BrokerMetrics metrics = new BrokerMetrics(registry, clock);

    private double count(String name, String protocol, String qos) {
        // A FunctionCounter over per-thread tallies: read as any counter is, by its COUNT measurement.
        return registry.get(name).tag("protocol", protocol).tag("qos", qos).functionCounter().count();
    }

    @Test
    void messagesAndPayloadBytesCountByProtocolAndQos() {
        metrics.messageReceived(BrokerMetrics.Protocol.MQTT, 2, 10);
        metrics.messageReceived(BrokerMetrics.Protocol.GRPC, 1, 7);
        metrics.messageSent(BrokerMetrics.Protocol.MQTT, 0, 10, clock.millis());

        assertThat(count("ratatoskr.messages.received", "mqtt", "2")).isEqualTo(1);
        assertThat(count("ratatoskr.messages.received.bytes", "mqtt", "2")).isEqualTo(10);
        assertThat(count("ratatoskr.messages.received", "grpc", "1")).isEqualTo(1);
        assertThat(count("ratatoskr.messages.received", "grpc", "2")).as("registered at zero").isZero();
        assertThat(count("ratatoskr.messages.sent", "mqtt", "0")).isEqualTo(1);
        assertThat(count("ratatoskr.messages.sent.bytes", "mqtt", "0")).isEqualTo(10);
        assertThat(metrics.messagesReceivedTotal()).as("$SYS and the admin totals: MQTT PUBLISH packets only "
                + "(the gRPC listener counts its own)").isEqualTo(1);
        assertThat(metrics.messagesSentTotal()).isEqualTo(1);
    }

    @Test
    void deliveryLatencyIsTheBrokerClockSinceReceipt() {
        long receivedAt = clock.millis();
        clock.advanceMs(40);
        metrics.messageSent(BrokerMetrics.Protocol.GRPC, 1, 3, receivedAt);

        Timer t = registry.get("ratatoskr.messages.delivery.latency").tag("protocol", "grpc").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(registry.get("ratatoskr.messages.delivery.latency").tag("protocol", "mqtt").timer().count())
                .isZero();
    }

    @Test
    void aBatchOfDeliveriesIsCountedPerMessageAndTimedOnceByItsOldestWait() {
        long oldest = clock.millis();
        clock.advanceMs(5);
        long newer = clock.millis();
        clock.advanceMs(20);
        metrics.messageSent(BrokerMetrics.Protocol.MQTT, 1, 4);
        metrics.messageSent(BrokerMetrics.Protocol.MQTT, 1, 6);
        metrics.deliveryWritten(BrokerMetrics.Protocol.MQTT, Math.min(oldest, newer));

        assertThat(count("ratatoskr.messages.sent", "mqtt", "1")).isEqualTo(2);
        assertThat(count("ratatoskr.messages.sent.bytes", "mqtt", "1")).isEqualTo(10);
        Timer t = registry.get("ratatoskr.messages.delivery.latency").tag("protocol", "mqtt").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.max(TimeUnit.MILLISECONDS)).as("the oldest message's wait").isEqualTo(25);

        metrics.deliveryWritten(BrokerMetrics.Protocol.MQTT, BrokerMetrics.NOT_TIMED);
        metrics.deliveryWritten(BrokerMetrics.Protocol.MQTT, clock.millis() + 1_000);
        assertThat(t.count()).as("untimed and future receipt times are no samples").isEqualTo(1);
    }

    @Test
    void refusalsAndDropsShareOneFamilyEachByReason() {
        metrics.publishRefused(BrokerMetrics.Protocol.MQTT, "sys_topic");
        metrics.publishRefused(BrokerMetrics.Protocol.GRPC, "invalid_topic_name");
        metrics.dropped(DropReason.QUEUE_FULL);
        metrics.qos0Dropped("partition_overloaded");

        assertThat(registry.get("ratatoskr.messages.refused").tag("protocol", "mqtt").tag("reason", "sys_topic")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("ratatoskr.messages.refused").tag("protocol", "grpc")
                .tag("reason", "invalid_topic_name").counter().count()).isEqualTo(1);
        assertThat(registry.get("ratatoskr.messages.dropped").tag("reason", "queue_full").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("ratatoskr.messages.dropped").tag("reason", "partition_overloaded").counter()
                .count()).isEqualTo(1);
        assertThat(metrics.droppedTotal()).isEqualTo(2);
    }
}
