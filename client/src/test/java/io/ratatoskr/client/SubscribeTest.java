package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

class SubscribeTest extends ClientTestBase {
    @Test
    void subscriberReceivesWhatAnotherClientPublishes() throws Exception {
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        Subscription sub = client.subscribe("chat/#", m -> {
            received.add(m);
            return Ack.ACK;
        });
        sub.whenSubscribed().get(10, TimeUnit.SECONDS);

        try (RatatoskrClient publisher = broker.client()) {
            for (int i = 0; i < 3; i++) {
                publisher.publish(OutgoingMessage.builder("chat/room1").payload("hello " + i).liveOnly(true)
                        .header("from", "alice").build()).join();
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
        assertThat(received).extracting(ReceivedMessage::payloadAsString)
                .containsExactly("hello 0", "hello 1", "hello 2");
        assertThat(received.getFirst().topic()).isEqualTo("chat/room1");
        assertThat(received.getFirst().metadata()).containsEntry("from", "alice");
        assertThat(sub.id()).isNotEmpty();
    }

    @Test
    void subscriberReceivesWhatAnMqttClientPublishes() throws Exception {
        List<ReceivedMessage> received = new CopyOnWriteArrayList<>();
        client.subscribe(List.of("sensors/+/temp", "alarms/#"), m -> {
            received.add(m);
            return Ack.ACK;
        }).whenSubscribed().get(10, TimeUnit.SECONDS);

        MqttClient paho = new MqttClient(broker.mqttUri(), "paho-publisher", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        paho.connect(options);
        try {
            paho.publish("sensors/kitchen/temp", "21.5".getBytes(StandardCharsets.UTF_8), 1, false);
            paho.publish("sensors/kitchen/humidity", "40".getBytes(StandardCharsets.UTF_8), 1, false);
            paho.publish("alarms/fire", "no".getBytes(StandardCharsets.UTF_8), 1, false);
        } finally {
            paho.disconnect();
            paho.close();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        assertThat(received).extracting(ReceivedMessage::topic)
                .containsExactlyInAnyOrder("sensors/kitchen/temp", "alarms/fire");
        assertThat(received).filteredOn(m -> m.topic().equals("sensors/kitchen/temp"))
                .extracting(ReceivedMessage::payloadAsString).containsExactly("21.5");
    }

    @Test
    void aFailingHandlerIsCountedAndTheSubscriptionGoesOn() throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        Subscription sub = client.subscribe("jobs", m -> {
            handled.add(m.payloadAsString());
            if (m.payloadAsString().equals("bad")) {
                throw new IllegalStateException("cannot handle it");
            }
            return m.payloadAsString().equals("meh") ? Ack.nack() : Ack.ACK;
        });
        sub.whenSubscribed().get(10, TimeUnit.SECONDS);

        for (String p : List.of("bad", "meh", "good")) {
            client.publish(OutgoingMessage.builder("jobs").payload(p).liveOnly(true).build()).join();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 3);
        assertThat(handled).containsExactly("bad", "meh", "good");
        assertThat(sub.handlerFailures()).isEqualTo(2);
        assertThat(sub.isActive()).isTrue();
    }

    @Test
    void anInvalidFilterStopsTheSubscriptionAndTellsTheErrorListener() {
        List<RatatoskrClientException> errors = new CopyOnWriteArrayList<>();
        try (RatatoskrClient c = broker.client(RatatoskrClient.builder()
                .errorListener((source, e) -> errors.add(e)))) {
            Subscription sub = c.subscribe("bad/#/filter", m -> Ack.ACK);

            await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
            assertThat(errors.getFirst().status()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
            assertThat(sub.isActive()).isFalse();
            assertThat(sub.whenSubscribed()).isCompletedExceptionally();
        }
    }
}
