package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.spec.BrokerFixture;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.spec.PahoV3Client.Received;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What holds at every QoS: messages flow both ways between clients at the QoS they were published and
 * subscribed with, once each, and one publisher's messages arrive in the order sent [MQTT-4.6.0-5]
 * (3.1.1). A subclass per QoS adds what is particular to it.
 */
abstract class PublishContract {
    @AutoClose
    final BrokerFixture net = new BrokerFixture();

    /** The QoS of publications and subscriptions in the shared tests. */
    abstract int qos();

    @Test
    void messagesFlowBothWaysBetweenTwoClients() throws Exception {
        PahoV3Client alice = net.paho("alice");
        PahoV3Client bob = net.paho("bob");
        alice.subscribe("to/alice", qos());
        bob.subscribe("to/bob", qos());

        alice.publish("to/bob", "hello bob", qos());
        bob.publish("to/alice", "hello alice", qos());

        assertThat(bob.next()).isEqualTo(new Received("to/bob", "hello bob", qos(), false, false));
        assertThat(alice.next()).isEqualTo(new Received("to/alice", "hello alice", qos(), false, false));
        alice.assertNothingBefore(bob);
        bob.assertNothingBefore(alice);
    }

    @Test
    void deliveryQosIsTheLowerOfPublishAndSubscription() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("sensors/t", qos());

        for (int published = 0; published <= 2; published++) {
            publisher.publish("sensors/t", "at qos " + published, published);
        }

        // [MQTT-3.8.4-6] (3.1.1): never above the subscription's maximum, never raised.
        for (int published = 0; published <= 2; published++) {
            assertThat(subscriber.next()).extracting(Received::payload, Received::qos)
                    .containsExactly("at qos " + published, Math.min(published, qos()));
        }
    }

    @Test
    void messagesOfOnePublisherArriveInTheOrderSent() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("ordered", qos());
        List<String> sent = IntStream.range(0, 200).mapToObj(i -> "m" + i).toList();

        for (String m : sent) {
            publisher.publish("ordered", m, qos());
        }

        assertThat(subscriber.nextPayloads(sent.size())).isEqualTo(sent);
        subscriber.assertNothingBefore(publisher);
    }
}
