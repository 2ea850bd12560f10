package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.UnsubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Unsubscribe;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** SUBSCRIBE options, subscription identifiers, SUBACK and UNSUBACK (MQTT 5.0 §3.8-§3.11). */
class SubscriptionV5Test extends V5SpecTest {

    private static MqttProperties subscriptionId(int id) {
        return MqttProperties.builder().addSubscriptionIdentifier(id).build();
    }

    private static Subscription retainHandling(String filter, int retainHandling) {
        return new Subscription(filter, 1, false, false, retainHandling);
    }

    @Test
    void subscriptionIdentifierComesWithEveryMessageTheSubscriptionMatches() throws Exception {
        RawMqttClient sub = raw("sub");
        rawSubscribe(sub, 1, subscriptionId(7), new Subscription("sid/+", 0));
        rawSubscribe(sub, 2, MqttProperties.EMPTY, new Subscription("plain", 0));
        RawMqttClient pub = raw("pub");

        rawPublishQos1(pub, "sid/a", "with id", MqttProperties.EMPTY);
        rawPublishQos1(pub, "plain", "without", MqttProperties.EMPTY);

        assertThat(expect(sub, Publish.class).properties().subscriptionIdentifiers()).containsExactly(7);
        assertThat(expect(sub, Publish.class).properties().subscriptionIdentifiers()).isEmpty();

        rawSubscribe(sub, 3, subscriptionId(9), new Subscription("sid/+", 0));
        rawPublishQos1(pub, "sid/b", "replaced", MqttProperties.EMPTY);
        assertThat(expect(sub, Publish.class).properties().subscriptionIdentifiers())
                .as("a repeated SUBSCRIBE replaces the identifier").containsExactly(9);
    }

    @Test
    void retainedMessageSentOnSubscribeCarriesTheSubscriptionIdentifier() throws Exception {
        publishRetained("sid/kept", "kept");
        RawMqttClient sub = raw("sub");

        rawSubscribe(sub, 1, subscriptionId(11), new Subscription("sid/#", 1));

        Publish p = expect(sub, Publish.class);
        assertThat(p.retain()).isTrue();
        assertThat(p.properties().subscriptionIdentifiers()).containsExactly(11);
    }

    @Test
    void overlappingSubscriptionsGiveOneMessageWithAllTheirIdentifiersAtTheHighestQos() throws Exception {
        RawMqttClient sub = raw("sub");
        rawSubscribe(sub, 1, subscriptionId(1), new Subscription("ov/+", 0));
        rawSubscribe(sub, 2, subscriptionId(2), new Subscription("ov/#", 1));
        rawSubscribe(sub, 3, MqttProperties.EMPTY, new Subscription("ov/a", 0));
        RawMqttClient pub = raw("pub");

        rawPublishQos1(pub, "ov/a", "once", MqttProperties.EMPTY);

        Publish p = expect(sub, Publish.class);
        assertThat(p.qos()).isEqualTo(1);
        assertThat(p.properties().subscriptionIdentifiers()).containsExactlyInAnyOrder(1, 2);
        sub.send(new PubAck(p.packetId()));
        expectSilence(sub);
    }

    @Test
    void noLocalKeepsAClientsOwnMessagesFromComingBackToIt() throws Exception {
        HiveMqClient self = hivemqConnected("self");
        self.client().subscribeWith().topicFilter("chat").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
        HiveMqClient other = hivemqConnected("other");
        other.client().subscribeWith().topicFilter("chat").qos(MqttQos.AT_LEAST_ONCE).send();

        self.client().publishWith().topic("chat").payload(utf8("mine")).qos(MqttQos.AT_LEAST_ONCE).send();
        other.client().publishWith().topic("chat").payload(utf8("theirs")).qos(MqttQos.AT_LEAST_ONCE).send();

        assertThat(other.nextPayload()).as("others get it").isEqualTo("mine");
        assertThat(self.nextPayload()).as("the publisher's own message is skipped").isEqualTo("theirs");
        self.expectSilence();
    }

    @Test
    void retainAsPublishedKeepsTheRetainFlagOnLiveMessages() throws Exception {
        HiveMqClient keeps = hivemqConnected("keeps");
        keeps.client().subscribeWith().topicFilter("rap/t").retainAsPublished(true).send();
        HiveMqClient clears = hivemqConnected("clears");
        clears.client().subscribeWith().topicFilter("rap/t").send();

        HiveMqClient pub = hivemqConnected("pub");
        pub.client().publishWith().topic("rap/t").payload(utf8("retained")).retain(true).send();
        pub.client().publishWith().topic("rap/t").payload(utf8("live")).send();

        assertThat(keeps.next().isRetain()).isTrue();
        assertThat(keeps.next().isRetain()).isFalse();
        assertThat(clears.next().isRetain()).as("[MQTT-3.3.1-13] cleared without the option").isFalse();
        assertThat(clears.next().isRetain()).isFalse();

        HiveMqClient late = hivemqConnected("late");
        late.client().subscribeWith().topicFilter("rap/t").send();
        assertThat(late.next().isRetain()).as("a retained message sent on subscribe keeps the flag").isTrue();
    }

    @ParameterizedTest(name = "retain handling {0}: on a new subscription {1}, on a repeated one {2}")
    @CsvSource({"0, true, true", "1, true, false", "2, false, false"})
    void retainHandlingDecidesWhichSubscribesGetTheRetainedMessage(int retainHandling, boolean onNew,
                                                                   boolean onRepeat) throws Exception {
        publishRetained("rh/t", "kept");
        RawMqttClient sub = raw("sub");

        rawSubscribe(sub, 1, MqttProperties.EMPTY, retainHandling("rh/t", retainHandling));
        expectRetainedIf(sub, onNew);
        rawSubscribe(sub, 2, MqttProperties.EMPTY, retainHandling("rh/t", retainHandling));
        expectRetainedIf(sub, onRepeat);

        rawPublishQos1(raw("pub"), "rh/t", "live", MqttProperties.EMPTY);
        assertThat(utf8(expect(sub, Publish.class).payload())).as("live messages come either way").isEqualTo("live");
    }

    @Test
    void subAckGrantsTheRequestedQosAndRefusesAnInvalidFilter() throws Exception {
        RawMqttClient sub = raw("sub");
        var ack = rawSubscribe(sub, 5, MqttProperties.EMPTY, new Subscription("q/0", 0), new Subscription("q/1", 1),
                new Subscription("q/2", 2), new Subscription("q/#/bad", 1), new Subscription("q/x+", 0),
                new Subscription("$share/g", 1));
        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1,
                ReasonCode.GRANTED_QOS_2, ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.TOPIC_FILTER_INVALID,
                ReasonCode.TOPIC_FILTER_INVALID);

        HiveMqClient hive = hivemqConnected("hive");
        var hiveAck = hive.client().subscribeWith()
                .addSubscription().topicFilter("h/1").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                .addSubscription().topicFilter("h/2").qos(MqttQos.EXACTLY_ONCE).applySubscription()
                .send();
        assertThat(hiveAck.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                Mqtt5SubAckReasonCode.GRANTED_QOS_2);
    }

    @Test
    void unsubAckSaysWhetherTheSubscriptionExisted() throws Exception {
        RawMqttClient sub = raw("sub");
        rawSubscribe(sub, "u/a", 1);
        sub.send(new Unsubscribe(2, List.of("u/a", "u/never"), MqttProperties.EMPTY));
        UnsubAck ack = expect(sub, UnsubAck.class);
        assertThat(ack.packetId()).isEqualTo(2);
        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED);

        HiveMqClient hive = hivemqConnected("hive");
        hive.client().subscribeWith().topicFilter("h/a").send();
        assertThat(hive.client().unsubscribeWith().topicFilter("h/a").send().getReasonCodes())
                .containsExactly(Mqtt5UnsubAckReasonCode.SUCCESS);
        assertThat(hive.client().unsubscribeWith().topicFilter("h/a").send().getReasonCodes())
                .containsExactly(Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);
        hive.client().publishWith().topic("h/a").payload(utf8("after")).send();
        hive.expectSilence();
    }

    private void publishRetained(String topic, String payload) throws Exception {
        RawMqttClient pub = raw("retainer");
        pub.send(new Publish(topic, 1, true, false, 1, utf8(payload), MqttProperties.EMPTY));
        expect(pub, PubAck.class);
    }

    private static void expectRetainedIf(RawMqttClient sub, boolean sent) throws Exception {
        if (!sent) {
            expectSilence(sub);
            return;
        }
        Publish p = expect(sub, Publish.class);
        assertThat(utf8(p.payload())).isEqualTo("kept");
        assertThat(p.retain()).as("retain flag").isTrue();
        sub.send(new PubAck(p.packetId()));
    }
}
