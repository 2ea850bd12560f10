package io.ratatoskr.mqtt.spec.v5;

import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Receive Maximum and Maximum Packet Size in both directions (MQTT 5.0 §4.9, §3.1.2.11.4, §3.2.2.3.6). */
class FlowControlTest extends V5SpecTest {

    private static MqttProperties receiveMaximum(int n) {
        return MqttProperties.builder().receiveMaximum(n).build();
    }

    private void publishQos1(int count, String topic) throws Exception {
        RawMqttClient pub = raw("pub-" + topic.replace('/', '-'));
        for (int i = 0; i < count; i++) {
            rawPublishQos1(pub, topic, "m" + i, MqttProperties.EMPTY);
        }
    }

    @Test
    void brokerNeverHasMoreQos1MessagesUnacknowledgedThanTheClientsReceiveMaximum() throws Exception {
        RawMqttClient sub = raw("slow", receiveMaximum(2));
        rawSubscribe(sub, "rm/q1", 1);
        publishQos1(5, "rm/q1");

        Publish m0 = expect(sub, Publish.class);
        Publish m1 = expect(sub, Publish.class);
        expectSilence(sub);

        sub.send(new PubAck(m0.packetId()));
        Publish m2 = expect(sub, Publish.class);
        expectSilence(sub);

        sub.send(new PubAck(m1.packetId()));
        sub.send(new PubAck(m2.packetId()));
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Publish p = expect(sub, Publish.class);
            rest.add(utf8(p.payload()));
            sub.send(new PubAck(p.packetId()));
        }
        expectSilence(sub);
        assertThat(List.of(utf8(m0.payload()), utf8(m1.payload()), utf8(m2.payload()), rest.get(0), rest.get(1)))
                .as("all of them, in order").containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    @Test
    void messagesResentOnReconnectStayWithinTheNewReceiveMaximum() throws Exception {
        MqttProperties keep = MqttProperties.builder().sessionExpiryInterval(60).receiveMaximum(4).build();
        RawMqttClient first = raw("shrinking", keep);
        rawSubscribe(first, "rm/again", 1);
        publishQos1(4, "rm/again");
        for (int i = 0; i < 4; i++) {
            expect(first, Publish.class);
        }
        first.close(); // four unacknowledged

        RawMqttClient again = rawSocket();
        rawConnect(again, connect("shrinking", false,
                MqttProperties.builder().sessionExpiryInterval(60).receiveMaximum(1).build()));
        Publish resent = expect(again, Publish.class);
        assertThat(resent.dup()).as("[MQTT-4.4.0-1] re-sent with DUP").isTrue();
        assertThat(utf8(resent.payload())).isEqualTo("m0");
        expectSilence(again);
        again.send(new PubAck(resent.packetId()));
        assertThat(utf8(expect(again, Publish.class).payload())).isEqualTo("m1");
    }

    @Test
    void qos2MessageHoldsItsPlaceInTheWindowUntilPubComp() throws Exception {
        RawMqttClient sub = raw("slow2", receiveMaximum(1));
        rawSubscribe(sub, "rm/q2", 2);
        RawMqttClient pub = raw("pub");
        for (int i = 0; i < 2; i++) {
            pub.send(new Publish("rm/q2", 2, false, false, i + 1, utf8("m" + i), MqttProperties.EMPTY));
            expect(pub, PubRec.class);
            pub.send(new PubRel(i + 1));
            expect(pub, PubComp.class);
        }

        Publish first = expect(sub, Publish.class);
        sub.send(new PubRec(first.packetId()));
        assertThat(expect(sub, PubRel.class).packetId()).isEqualTo(first.packetId());
        expectSilence(sub);

        sub.send(new PubComp(first.packetId()));
        assertThat(utf8(expect(sub, Publish.class).payload())).isEqualTo("m1");
    }

    @Test
    void exceedingTheBrokersReceiveMaximumWithQos2IsDisconnected() throws Exception {
        restartBroker(b -> b, limits(-1, 2, -1, -1));
        RawMqttClient pub = rawSocket();
        assertThat(rawConnect(pub, connect("eager", true, MqttProperties.EMPTY)).properties().receiveMaximum())
                .isEqualTo(2);

        for (int id = 1; id <= 2; id++) {
            pub.send(new Publish("rm/in", 2, false, false, id, utf8("m"), MqttProperties.EMPTY));
            assertThat(expect(pub, PubRec.class).packetId()).isEqualTo(id);
        }
        pub.send(new Publish("rm/in", 2, false, false, 3, utf8("one too many"), MqttProperties.EMPTY));

        expectDisconnect(pub, ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
    }

    @Test
    void releasedQos2MessagesFreeTheBrokersReceiveWindow() throws Exception {
        restartBroker(b -> b, limits(-1, 1, -1, -1));
        RawMqttClient pub = raw("steady");

        for (int id = 1; id <= 3; id++) {
            pub.send(new Publish("rm/in", 2, false, false, id, utf8("m"), MqttProperties.EMPTY));
            expect(pub, PubRec.class);
            pub.send(new PubRel(id));
            assertThat(expect(pub, PubComp.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
    }

    @Test
    void qos2PublishResentAfterReconnectDoesNotCountTwiceAgainstTheBrokersReceiveMaximum() throws Exception {
        restartBroker(b -> b, limits(-1, 1, -1, -1));
        RawMqttClient sub = raw("sub");
        rawSubscribe(sub, "rm/in", 0);
        MqttProperties keep = MqttProperties.builder().sessionExpiryInterval(60).build();
        RawMqttClient first = raw("resender", keep);
        first.send(new Publish("rm/in", 2, false, false, 7, utf8("once"), MqttProperties.EMPTY));
        expect(first, PubRec.class);
        first.close(); // the connection drops before PUBREL

        // [MQTT-4.4.0-1]: on reconnect the client re-sends the unacknowledged PUBLISH with its identifier.
        RawMqttClient again = rawSocket();
        assertThat(rawConnect(again, connect("resender", false, keep)).sessionPresent()).isTrue();
        again.send(new Publish("rm/in", 2, false, true, 7, utf8("once"), MqttProperties.EMPTY));
        assertThat(expect(again, PubRec.class).packetId()).as("acknowledged again, not refused").isEqualTo(7);
        again.send(new PubRel(7));
        assertThat(expect(again, PubComp.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);

        assertThat(utf8(expect(sub, Publish.class).payload())).isEqualTo("once");
        expectSilence(sub);
    }

    @Test
    void messageLargerThanTheClientsMaximumPacketSizeIsDroppedAndCounted() throws Exception {
        RawMqttClient sub = raw("small", MqttProperties.builder().maximumPacketSize(128).build());
        rawSubscribe(sub, "mps/#", 1);
        RawMqttClient pub = raw("pub");

        rawPublishQos1(pub, "mps/big", "x".repeat(200), MqttProperties.EMPTY);
        pub.send(new Publish("mps/big", 0, false, false, 0, utf8("y".repeat(200)), MqttProperties.EMPTY));
        rawPublishQos1(pub, "mps/small", "fits", MqttProperties.EMPTY);

        Publish p = expect(sub, Publish.class);
        assertThat(utf8(p.payload())).isEqualTo("fits");
        sub.send(new PubAck(p.packetId()));
        expectSilence(sub);
        assertThat(broker.counter("ratatoskr.messages.dropped", "reason", "too_large")).isEqualTo(2);
    }

    @Test
    void tooLargeQos1MessagesDoNotUseUpTheClientsReceiveWindow() throws Exception {
        RawMqttClient sub = raw("small", MqttProperties.builder().maximumPacketSize(128).receiveMaximum(1).build());
        rawSubscribe(sub, "mps/#", 1);
        RawMqttClient pub = raw("pub");
        for (int i = 0; i < 3; i++) {
            rawPublishQos1(pub, "mps/big", "x".repeat(200), MqttProperties.EMPTY);
        }
        rawPublishQos1(pub, "mps/small", "fits", MqttProperties.EMPTY);

        assertThat(utf8(expect(sub, Publish.class).payload())).isEqualTo("fits");
    }

    @Test
    void reasonStringsAreLeftOutWhenTheyWouldExceedTheClientsMaximumPacketSize() throws Exception {
        RawMqttClient c = raw("tiny", MqttProperties.builder().maximumPacketSize(16).build());
        c.send(new Publish("$SYS/mine", 1, false, false, 1, utf8("x"), MqttProperties.EMPTY));
        PubAck refused = expect(c, PubAck.class);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(refused.properties().reasonString()).as("[MQTT-3.4.2-2] no room for it").isNull();

        c.send(new Publish("", 0, false, false, 0, utf8("x"), MqttProperties.builder().topicAlias(9).build()));
        Disconnect d = expect(c, Disconnect.class);
        assertThat(d.reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        assertThat(d.properties().reasonString()).as("[MQTT-3.14.2-3] no room for it").isNull();

        ConnAck connAck = rawConnect(rawSocket(), new Connect(MqttVersion.V5, "tiny-will", true, 60, null, null,
                new Will("bad/+/will", utf8("x"), 0, false, MqttProperties.EMPTY),
                MqttProperties.builder().maximumPacketSize(16).build()));
        assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
        assertThat(connAck.properties().reasonString()).as("[MQTT-3.2.2-19] no room for it").isNull();
    }

    @Test
    void packetLargerThanTheBrokersMaximumIsDisconnectedWithPacketTooLarge() throws Exception {
        restartBroker(b -> b, limits(1024, -1, -1, -1));
        RawMqttClient pub = raw("big");
        rawPublishQos1(pub, "mps/in", "y".repeat(900), MqttProperties.EMPTY);

        pub.send(new Publish("mps/in", 1, false, false, 2, utf8("z".repeat(1100)), MqttProperties.EMPTY));

        expectDisconnect(pub, ReasonCode.PACKET_TOO_LARGE);
    }
}
