package io.ratatoskr.mqtt.spec.v311;

import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.UnsubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Unsubscribe;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.spec.BrokerFixture;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.spec.PahoV3Client.Received;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ratatoskr.mqtt.spec.RawClients.assertNothingPending;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 3.1.1 §3.8-3.11 and §4.7: subscriptions, topic filters and wildcards. */
class SubscriptionTest {
    @AutoClose
    final BrokerFixture net = new BrokerFixture();

    /** Publishes each topic with its own name as the payload, at QoS 1. */
    private static void publishEach(PahoV3Client publisher, String... topics) throws Exception {
        for (String topic : topics) {
            publisher.publish(topic, topic, 1);
        }
    }

    @Test
    void plusMatchesExactlyOneLevel() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("sensor/+/temp", 1);

        publishEach(publisher, "sensor/kitchen/temp", "sensor/temp", "sensor/a/b/temp", "sensor//temp",
                "sensor/kitchen/temp/x");

        // [MQTT-4.7.1-3] (3.1.1): one whole level, which may be empty.
        assertThat(subscriber.nextPayloads(2)).containsExactly("sensor/kitchen/temp", "sensor//temp");
        subscriber.assertNothingBefore(publisher);
    }

    @Test
    void hashMatchesTheParentLevelAndEveryLevelBelow() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("sport/tennis/#", 1);

        publishEach(publisher, "sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking",
                "sport/tennisball", "sport", "other/sport/tennis");

        // [MQTT-4.7.1-2] (3.1.1): "sport/tennis/#" also matches "sport/tennis".
        assertThat(subscriber.nextPayloads(3))
                .containsExactly("sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking");
        subscriber.assertNothingBefore(publisher);
    }

    @Test
    void topicLevelsAreCaseSensitive() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("ACCOUNTS", 1);

        publishEach(publisher, "Accounts", "accounts", "ACCOUNTS");

        assertThat(subscriber.next().payload()).isEqualTo("ACCOUNTS");
        subscriber.assertNothingBefore(publisher);
    }

    @Test
    void wildcardsAtTheFirstLevelDoNotMatchSysTopics() throws Exception {
        net.start(b -> b.withSysIntervalSeconds(1), m -> m);
        PahoV3Client everything = net.paho("everything");
        everything.subscribe("#", 0);
        everything.subscribe("+/broker/uptime", 0);
        PahoV3Client sys = net.paho("sys");
        sys.subscribe("$SYS/broker/uptime", 0);

        // Uptime is published every second: wait for one published after both subscriptions.
        Received live;
        do {
            live = sys.next();
        } while (live.retained());

        // [MQTT-4.7.2-1] (3.1.1): neither "#" nor "+/..." matched it.
        everything.assertNothingMore();
    }

    @Test
    void overlappingSubscriptionsDeliverOneCopyAtTheHighestQos() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("home/#", 0);
        subscriber.subscribe("home/+/temp", 2);
        subscriber.subscribe("home/kitchen/temp", 1);

        publisher.publish("home/kitchen/temp", "21.5", 2);

        // [MQTT-3.3.5-1] (3.1.1): delivered respecting the highest QoS of the matching subscriptions.
        assertThat(subscriber.next()).isEqualTo(new Received("home/kitchen/temp", "21.5", 2, false, false));
        subscriber.assertNothingBefore(publisher);
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        subscriber.subscribe("news", 1);
        publisher.publish("news", "before", 1);
        assertThat(subscriber.next().payload()).isEqualTo("before");

        subscriber.unsubscribe("news");
        publisher.publish("news", "after", 1);

        subscriber.assertNothingBefore(publisher);
        assertThat(net.broker().broker().subscriptionCount()).isEqualTo(1); // the marker's own
    }

    @Test
    void subscribingAgainReplacesTheQosAndResendsRetainedMessages() throws Exception {
        PahoV3Client subscriber = net.paho("subscriber");
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("config", "v1", 2, true);
        subscriber.subscribe("config", 2);
        assertThat(subscriber.next()).isEqualTo(new Received("config", "v1", 2, true, false));

        subscriber.subscribe("config", 0);

        // [MQTT-3.8.4-3] (3.1.1): the subscription is replaced, and its retained messages sent again.
        assertThat(subscriber.next()).isEqualTo(new Received("config", "v1", 0, true, false));
        publisher.publish("config", "v2", 2);
        assertThat(subscriber.next()).isEqualTo(new Received("config", "v2", 0, false, false));
    }

    @Test
    void invalidFilterIsRefusedWithFailureWhileTheOthersInTheSamePacketAreGranted() throws Exception {
        RawMqttClient client = net.raw(MqttVersion.V3_1_1, "client", true);

        client.send(new Subscribe(5, List.of(new Subscription("a/#/b", 1), new Subscription("ok/+", 2),
                new Subscription("sport+", 0)), MqttProperties.EMPTY));

        // [MQTT-3.9.3-1] (3.1.1): one return code per filter, in order; 0x80 for a failure.
        SubAck ack = expect(client, SubAck.class);
        assertThat(ack.packetId()).isEqualTo(5);
        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.V3_SUBACK_FAILURE, 2, ReasonCode.V3_SUBACK_FAILURE);
        PahoV3Client publisher = net.paho("publisher");
        publisher.publish("ok/go", "granted", 1);
        Publish delivered = expect(client, Publish.class);
        assertThat(new String(delivered.payload(), StandardCharsets.UTF_8)).isEqualTo("granted");
        assertThat(delivered.qos()).isEqualTo(1);
        assertNothingPending(client);
    }

    @Test
    void unsubscribeIsAcknowledgedEvenWhenThereWasNoSuchSubscription() throws Exception {
        RawMqttClient client = net.raw(MqttVersion.V3_1_1, "client", true);

        client.send(new Unsubscribe(9, List.of("never/subscribed"), MqttProperties.EMPTY));

        // [MQTT-3.10.4-5] (3.1.1)
        assertThat(expect(client, UnsubAck.class).packetId()).isEqualTo(9);
        assertNothingPending(client);
    }
}
