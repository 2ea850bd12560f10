package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void consumerAndSubscriptionResumeAfterABrokerRestartWithoutRedeliveringAckedMessages() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); RatatoskrClient client = broker.client()) {
            client.topics().createTopic("orders");
            Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
            Consumer consumer = client.consume("orders", "billing", m -> {
                handled.computeIfAbsent(m.payloadAsString(), k -> new AtomicInteger()).incrementAndGet();
                return Ack.ACK;
            });
            List<String> live = new CopyOnWriteArrayList<>();
            Subscription sub = client.subscribe(List.of("orders/#", "probes"), m -> {
                live.add(m.payloadAsString());
                return Ack.ACK;
            });
            sub.whenSubscribed().get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                client.publish("orders", "before-" + i).join();
            }
            await().atMost(WAIT).until(() -> handled.size() == 5);
            // Every ack applied by the group (nothing left to redeliver) before the broker goes away.
            await().atMost(WAIT).until(() -> broker.consumerGroups().describe("orders", "billing")
                    .get(5, TimeUnit.SECONDS).lag() == 0);

            broker.restart();

            // Subscribed again once a live message published now arrives (earlier ones are lost: at most once);
            // the probes go to a topic no durable topic captures, so the consumer never sees them.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                client.publish(OutgoingMessage.builder("probes").payload("probe").liveOnly(true).build()).join();
                return live.contains("probe");
            });
            await().atMost(WAIT).until(() -> broker.consumerGroups().describe("orders", "billing")
                    .get(5, TimeUnit.SECONDS).members().size() == 1);
            for (int i = 0; i < 5; i++) {
                client.publish(OutgoingMessage.builder("orders/eu").payload("after-" + i).build()).join();
            }

            await().atMost(WAIT).until(() -> handled.size() == 10);
            assertThat(handled).allSatisfy((payload, count) -> assertThat(count.get()).as(payload).isEqualTo(1));
            await().atMost(WAIT).until(() -> live.containsAll(List.of("after-0", "after-4")));
            assertThat(consumer.isActive()).isTrue();
            assertThat(sub.isActive()).isTrue();
        }
    }

    @Test
    void reconnectDelaysGrowExponentiallyWithJitterUpToTheMaximum() {
        Duration initial = Duration.ofMillis(100);
        Duration max = Duration.ofSeconds(5);

        assertThat(Reconnect.delayMs(0, initial, max, 0.0)).isEqualTo(50);
        assertThat(Reconnect.delayMs(0, initial, max, 0.999)).isBetween(99L, 100L);
        assertThat(Reconnect.delayMs(3, initial, max, 0.0)).isEqualTo(400);
        assertThat(Reconnect.delayMs(10, initial, max, 0.5)).isBetween(3750L, 3751L);
        assertThat(Reconnect.delayMs(62, initial, max, 0.999)).isLessThanOrEqualTo(5000);
        assertThat(Reconnect.retryable(io.grpc.Status.Code.UNAVAILABLE)).isTrue();
        assertThat(Reconnect.retryable(io.grpc.Status.Code.NOT_FOUND)).isFalse();
        assertThat(Reconnect.retryable(io.grpc.Status.Code.INVALID_ARGUMENT)).isFalse();
    }
}
