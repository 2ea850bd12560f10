package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.spec.BrokerFixture;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.spec.PahoV3Client.Received;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 3.1.1 §3.3.1.3: retained messages. */
class RetainedTest {
    @AutoClose
    final BrokerFixture net = new BrokerFixture();

    @Test
    void retainedMessageIsDeliveredToALaterSubscriberWithTheRetainFlagSet() throws Exception {
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("home/temp", "21.5", 1, true);
        PahoV3Client subscriber = net.paho("subscriber");

        subscriber.subscribe("home/temp", 2);

        // [MQTT-3.3.1-8] (3.1.1): sent because of a new subscription, so with the retain flag.
        assertThat(subscriber.next()).isEqualTo(new Received("home/temp", "21.5", 1, true, false));
        subscriber.assertNothingMore();
    }

    @Test
    void aNewRetainedMessageReplacesTheOldOne() throws Exception {
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("home/temp", "old", 1, true);
        publisher.publish("home/temp", "new", 1, true);
        PahoV3Client subscriber = net.paho("subscriber");

        subscriber.subscribe("home/temp", 1);

        assertThat(subscriber.next().payload()).isEqualTo("new");
        subscriber.assertNothingMore();
    }

    @Test
    void emptyRetainedPayloadClearsTheTopicAndIsDeliveredLikeAnyMessage() throws Exception {
        PahoV3Client publisher = net.paho("publisher");
        PahoV3Client present = net.paho("present");
        present.subscribe("home/temp", 1);
        publisher.publish("home/temp", "21.5", 1, true);
        assertThat(present.next().payload()).isEqualTo("21.5");

        publisher.publish("home/temp", "", 1, true);

        // [MQTT-3.3.1-10] (3.1.1): processed as normal, and no retained message remains.
        assertThat(present.next()).isEqualTo(new Received("home/temp", "", 1, false, false));
        PahoV3Client later = net.paho("later");
        later.subscribe("home/temp", 1);
        later.assertNothingMore();
        assertThat(net.broker().broker().retained().size()).isZero();
    }

    @Test
    void liveDeliveryOfARetainedMessageHasTheRetainFlagClear() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        subscriber.subscribe("home/temp", 1);
        PahoV3Client publisher = net.paho("publisher");

        publisher.publish("home/temp", "21.5", 1, true);

        // [MQTT-3.3.1-9] (3.1.1): delivered to an established subscription, so with retain 0.
        assertThat(subscriber.next()).isEqualTo(new Received("home/temp", "21.5", 1, false, false));
    }

    @Test
    void wildcardSubscriptionReceivesEveryMatchingRetainedMessage() throws Exception {
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("site/a/temp", "a-temp", 1, true);
        publisher.publish("site/b/temp", "b-temp", 1, true);
        publisher.publish("site/a/humidity", "a-humidity", 1, true);
        publisher.publish("elsewhere/temp", "elsewhere", 1, true);
        PahoV3Client plus = net.paho("plus");
        PahoV3Client hash = net.paho("hash");

        plus.subscribe("site/+/temp", 1);
        hash.subscribe("site/#", 1);

        assertThat(Set.copyOf(plus.nextPayloads(2))).containsExactlyInAnyOrder("a-temp", "b-temp");
        plus.assertNothingMore();
        assertThat(Set.copyOf(hash.nextPayloads(3))).containsExactlyInAnyOrder("a-temp", "b-temp", "a-humidity");
        hash.assertNothingMore();
    }

    @Test
    void retainedQos0MessageIsKeptAndReplacesAHigherQosOne() throws Exception {
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("home/temp", "qos 2", 2, true);
        publisher.publish("home/temp", "qos 0", 0, true);
        publisher.publish("sync", "after the QoS 0 one", 1);
        PahoV3Client subscriber = net.paho("subscriber");

        subscriber.subscribe("home/temp", 2);

        // [MQTT-3.3.1-7] (3.1.1): a retained QoS 0 message replaces the one before.
        assertThat(subscriber.next()).isEqualTo(new Received("home/temp", "qos 0", 0, true, false));
    }
}
