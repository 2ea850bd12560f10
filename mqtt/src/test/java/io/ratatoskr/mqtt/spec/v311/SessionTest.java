package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.core.session.OverflowPolicy;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.spec.BrokerFixture;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.spec.PahoV3Client.Received;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.ratatoskr.mqtt.spec.BrokerFixture.eventually;
import static io.ratatoskr.mqtt.spec.RawClients.TIMEOUT;
import static io.ratatoskr.mqtt.spec.RawClients.assertNothingPending;
import static io.ratatoskr.mqtt.spec.RawClients.connectPacket;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static io.ratatoskr.mqtt.spec.RawClients.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 3.1.1 §3.1.2.4, §4.1, §4.4: persistent sessions, clean session, and re-delivery. */
class SessionTest {
    @AutoClose
    final BrokerFixture net = new BrokerFixture();

    /** A client with a persistent session subscribed to {@code filter}, now disconnected. */
    private PahoV3Client offlineSubscriber(String filter, int qos) throws Exception {
        PahoV3Client c = net.pahoUnconnected("subscriber");
        c.connect(o -> o.setCleanSession(false));
        c.subscribe(filter, qos);
        c.disconnect();
        return c;
    }

    /** A raw connection that resumes the persistent session of {@code clientId}. */
    private RawMqttClient resume(String clientId) throws Exception {
        RawMqttClient c = net.raw(MqttVersion.V3_1_1);
        c.send(connectPacket(MqttVersion.V3_1_1, clientId, false, 60));
        assertThat(expect(c, ConnAck.class).sessionPresent()).as("session present").isTrue();
        return c;
    }

    @Test
    void persistentSessionKeepsItsSubscriptionsAcrossConnections() throws Exception {
        PahoV3Client subscriber = offlineSubscriber("news", 1);
        PahoV3Client publisher = net.paho("publisher");

        assertThat(subscriber.connect(o -> o.setCleanSession(false))).as("session present").isTrue();
        publisher.publish("news", "still subscribed", 1);

        assertThat(subscriber.next().payload()).isEqualTo("still subscribed");
    }

    @Test
    void qos1And2MessagesPublishedWhileOfflineAreDeliveredOnReconnectButQos0AreNot() throws Exception {
        PahoV3Client subscriber = offlineSubscriber("news", 2);
        PahoV3Client publisher = net.paho("publisher");

        publisher.publish("news", "qos 0", 0);
        publisher.publish("news", "qos 1", 1);
        publisher.publish("news", "qos 2", 2);
        // The acknowledgements can overtake the hand-off to the session's loop: reconnecting before the
        // session took the QoS 0 message in would have it delivered live instead of dropped.
        eventually().until(() -> net.counter("ratatoskr.messages.dropped", "reason", "offline_qos0") == 1);
        subscriber.connect(o -> o.setCleanSession(false));

        assertThat(subscriber.next()).isEqualTo(new Received("news", "qos 1", 1, false, false));
        assertThat(subscriber.next()).isEqualTo(new Received("news", "qos 2", 2, false, false));
        subscriber.assertNothingBefore(publisher);
        assertThat(net.counter("ratatoskr.messages.dropped", "reason", "offline_qos0")).isEqualTo(1);
    }

    @Test
    void cleanSessionDiscardsTheSubscriptionsAndQueuedMessagesOfThePreviousSession() throws Exception {
        PahoV3Client subscriber = offlineSubscriber("news", 1);
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("news", "queued", 1);

        assertThat(subscriber.connect(o -> o.setCleanSession(true))).as("session present").isFalse();
        publisher.publish("news", "after the clean start", 1);

        subscriber.assertNothingBefore(publisher);
    }

    @Test
    void cleanSessionStateEndsWithTheConnection() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        subscriber.subscribe("news", 1);

        subscriber.disconnect();

        // [MQTT-3.1.2-6] (3.1.1): nothing of a clean session outlives its connection.
        net.awaitSessionEnded("subscriber");
        assertThat(net.broker().broker().subscriptionCount()).isZero();
        assertThat(subscriber.connect(o -> o.setCleanSession(false))).as("session present").isFalse();
    }

    @Test
    void unacknowledgedQos1MessageIsResentWithDupAndTheSameIdentifierAfterReconnect() throws Exception {
        RawMqttClient first = net.raw(MqttVersion.V3_1_1, "subscriber", false);
        subscribe(first, 1, "news", 1);
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("news", "ack me", 1);
        Publish original = expect(first, Publish.class);
        assertThat(original.dup()).isFalse();
        first.close(); // without PUBACK

        RawMqttClient second = resume("subscriber");

        // [MQTT-4.4.0-1] (3.1.1): re-sent with the original identifier, and DUP [MQTT-3.3.1-1].
        Publish resent = expect(second, Publish.class);
        assertThat(resent.packetId()).isEqualTo(original.packetId());
        assertThat(resent.dup()).isTrue();
        assertThat(new String(resent.payload(), StandardCharsets.UTF_8)).isEqualTo("ack me");
        second.send(new PubAck(resent.packetId()));
        assertNothingPending(second);
    }

    @Test
    void unacknowledgedPubrelIsResentAfterReconnect() throws Exception {
        RawMqttClient first = net.raw(MqttVersion.V3_1_1, "subscriber", false);
        subscribe(first, 1, "news", 2);
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("news", "exactly once", 2);
        Publish original = expect(first, Publish.class);
        first.send(new PubRec(original.packetId()));
        assertThat(expect(first, PubRel.class).packetId()).isEqualTo(original.packetId());
        first.close(); // without PUBCOMP

        RawMqttClient second = resume("subscriber");

        // [MQTT-4.4.0-1] (3.1.1): the PUBREL is re-sent, not the PUBLISH.
        assertThat(expect(second, PubRel.class).packetId()).isEqualTo(original.packetId());
        second.send(new PubComp(original.packetId()));
        assertNothingPending(second);
    }

    @Test
    void offlineQueueKeepsTheNewestMessagesUpToItsBoundAndCountsTheDropped() throws Exception {
        net.start(b -> b.withSession(new SessionConfig(3, OverflowPolicy.DROP_OLDEST, 256, 3600, false)), m -> m);
        PahoV3Client subscriber = offlineSubscriber("news", 1);
        PahoV3Client publisher = net.paho("publisher");
        for (int i = 0; i < 5; i++) {
            publisher.publish("news", "m" + i, 1);
        }
        // A PUBACK can overtake the hand-off to the session's loop: reconnect once all five reached the
        // offline queue (two dropped), or the last ones would be delivered live past the bound.
        eventually().until(() -> net.counter("ratatoskr.messages.dropped", "reason", "queue_full") == 2);

        subscriber.connect(o -> o.setCleanSession(false));

        assertThat(subscriber.nextPayloads(3)).containsExactly("m2", "m3", "m4");
        subscriber.assertNothingBefore(publisher);
        assertThat(net.counter("ratatoskr.messages.dropped", "reason", "queue_full")).isEqualTo(2);
    }

    @Test
    void takeoverResendsTheUnacknowledgedMessagesOnTheNewConnection() throws Exception {
        RawMqttClient first = net.raw(MqttVersion.V3_1_1, "subscriber", false);
        subscribe(first, 1, "news", 1);
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("news", "in flight", 1);
        Publish original = expect(first, Publish.class);

        RawMqttClient second = resume("subscriber"); // the first connection is still open

        assertThat(first.awaitClosed(TIMEOUT)).as("first connection closed").isTrue();
        Publish resent = expect(second, Publish.class);
        assertThat(resent.packetId()).isEqualTo(original.packetId());
        assertThat(resent.dup()).isTrue();
        second.send(new PubAck(resent.packetId()));
        assertNothingPending(second);
    }

    @ParameterizedTest
    @CsvSource({"DROP_OLDEST, 20", "DROP_NEWEST, 5"})
    void queueOfAClientThatAcknowledgesNothingIsBoundedAsTheOverflowPolicySays(OverflowPolicy policy, int firstKept)
            throws Exception {
        // A client that takes nothing for the slow-subscriber timeout (200 ms here) counts as stalled: its
        // publishers are no longer held back and its queue is bounded as the overflow policy says. Until
        // then publishers are held back instead (SlowSubscriberBackPressureTest); this test publishes the
        // overflow only once the broker counts the client as stalled, so the figures below are exact.
        net.start(b -> b.withSession(new SessionConfig(10, policy, 5, 3600, false, 200)), m -> m);
        RawMqttClient stalled = net.raw(MqttVersion.V3_1_1, "stalled", true);
        subscribe(stalled, 1, "news", 1);
        PahoV3Client publisher = net.paho("publisher");
        for (int i = 0; i < 5; i++) {
            publisher.publish("news", "m" + i, 1);
        }
        List<Publish> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(expect(stalled, Publish.class));
        }
        Session session = net.broker().broker().session("stalled");
        eventually().until(session::isStalled);
        for (int i = 5; i < 30; i++) {
            publisher.publish("news", "m" + i, 1);
        }
        // A PUBACK to the publisher can overtake the hand-off of its message to the subscriber's loop:
        // acknowledging from the subscriber before the session took all 25 in would make it live again.
        eventually().until(() -> net.counter("ratatoskr.messages.dropped", "reason", "queue_full") == 15);
        assertNothingPending(stalled);

        for (Publish p : inFlight) {
            stalled.send(new PubAck(p.packetId()));
        }

        // Five in flight, ten queued, fifteen dropped and counted.
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Publish p = expect(stalled, Publish.class);
            rest.add(new String(p.payload(), StandardCharsets.UTF_8));
            stalled.send(new PubAck(p.packetId()));
        }
        assertThat(inFlight).extracting(p -> new String(p.payload(), StandardCharsets.UTF_8))
                .containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(rest).isEqualTo(IntStream.range(firstKept, firstKept + 10).mapToObj(i -> "m" + i).toList());
        assertNothingPending(stalled);
        assertThat(net.counter("ratatoskr.messages.dropped", "reason", "queue_full")).isEqualTo(15);
    }
}
