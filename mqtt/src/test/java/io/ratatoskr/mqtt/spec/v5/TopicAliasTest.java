package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Topic aliases in both directions (MQTT 5.0 §3.3.2.3.4). */
class TopicAliasTest extends V5SpecTest {

    private static MqttProperties alias(int alias) {
        return MqttProperties.builder().topicAlias(alias).build();
    }

    @Test
    void clientSetsAnAliasWithATopicAndThenPublishesWithTheAliasAlone() throws Exception {
        HiveMqClient sub = hivemqConnected("sub");
        sub.client().subscribeWith().topicFilter("alias/#").qos(MqttQos.AT_LEAST_ONCE).send();
        RawMqttClient pub = raw("pub");

        assertThat(rawPublishQos1(pub, "alias/long/topic/name", "first", alias(1)).reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        rawPublishQos1(pub, "", "second", alias(1));
        rawPublishQos1(pub, "alias/other", "third", alias(1));
        rawPublishQos1(pub, "", "fourth", alias(1));

        List<String> received = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            var p = sub.next();
            received.add(p.getTopic() + " " + utf8(p.getPayloadAsBytes()));
        }
        assertThat(received).containsExactly("alias/long/topic/name first", "alias/long/topic/name second",
                "alias/other third", "alias/other fourth");
    }

    @Test
    void aliasWithoutAMappingIsAProtocolError() throws Exception {
        RawMqttClient pub = raw("pub");
        pub.send(new Publish("", 0, false, false, 0, utf8("lost"), alias(3)));

        expectDisconnect(pub, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void aliasAboveTheBrokersMaximumIsInvalid() throws Exception {
        restartBroker(b -> b, limits(-1, -1, 4, -1));
        RawMqttClient pub = raw("pub");
        pub.send(new Publish("t", 1, false, false, 1, utf8("x"), alias(4)));
        assertThat(expect(pub, PubAck.class).packetId()).as("alias 4 of 4 is fine").isEqualTo(1);

        pub.send(new Publish("t", 0, false, false, 0, utf8("x"), alias(5)));
        expectDisconnect(pub, ReasonCode.TOPIC_ALIAS_INVALID);
    }

    @Test
    void aliasZeroIsInvalid() throws Exception {
        RawMqttClient pub = raw("pub");
        // PUBLISH QoS 0, topic "t", properties: Topic Alias (0x23) = 0, payload "x". Alias 0 must not be sent
        // [MQTT-3.3.2-8]. The spec names no code for it; 0x94 says what is wrong, as Mosquitto answers.
        pub.sendRaw(HexFormat.of().parseHex("3008" + "000174" + "03" + "230000" + "78"));

        expectDisconnect(pub, ReasonCode.TOPIC_ALIAS_INVALID);
    }

    @Test
    void anyAliasIsInvalidWhenTheBrokerAllowsNone() throws Exception {
        restartBroker(b -> b, limits(-1, -1, 0, -1));
        RawMqttClient pub = rawSocket();
        assertThat(rawConnect(pub, connect("pub", true, MqttProperties.EMPTY)).properties().topicAliasMaximum())
                .as("absent: no aliases accepted").isEqualTo(-1);
        pub.send(new Publish("t", 0, false, false, 0, utf8("x"), alias(1)));

        expectDisconnect(pub, ReasonCode.TOPIC_ALIAS_INVALID);
    }

    @Test
    void brokerSendsTopicAndAliasFirstThenTheAliasAloneNeverBeyondTheClientsMaximum() throws Exception {
        RawMqttClient sub = raw("sub", MqttProperties.builder().topicAliasMaximum(2).build());
        rawSubscribe(sub, "out/#", 0);
        RawMqttClient pub = raw("pub");
        String[] topics = {"out/a", "out/a", "out/b", "out/c", "out/b", "out/c", "out/a"};
        for (String t : topics) {
            rawPublishQos1(pub, t, t, MqttProperties.EMPTY);
        }

        List<String> wire = new ArrayList<>();
        for (String t : topics) {
            Publish p = expect(sub, Publish.class);
            assertThat(utf8(p.payload())).isEqualTo(t);
            wire.add("'" + p.topic() + "' alias " + p.properties().topicAlias());
        }
        assertThat(wire).containsExactly(
                "'out/a' alias 1", // first use: topic and alias
                "'' alias 1",      // then the alias alone
                "'out/b' alias 2",
                "'out/c' alias -1", // both aliases taken: the topic, and no alias
                "'' alias 2",
                "'out/c' alias -1",
                "'' alias 1");
    }

    @Test
    void brokerSendsNoAliasToAClientThatAcceptsNone() throws Exception {
        RawMqttClient sub = raw("sub");
        rawSubscribe(sub, "plain", 1);
        RawMqttClient pub = raw("pub");
        rawPublishQos1(pub, "plain", "1", MqttProperties.EMPTY);
        rawPublishQos1(pub, "plain", "2", MqttProperties.EMPTY);

        for (int i = 0; i < 2; i++) {
            Publish p = expect(sub, Publish.class);
            assertThat(p.topic()).isEqualTo("plain");
            assertThat(p.properties().topicAlias()).isEqualTo(-1);
            sub.send(new PubAck(p.packetId()));
        }
    }

    @Test
    void hiveMqClientResolvesTheAliasesTheBrokerSends() throws Exception {
        // Paho 1.2.5 hands an aliased message over with an empty topic (eclipse-paho/paho.mqtt.java#866).
        HiveMqClient sub = hivemqConnected("hive", c -> c.restrictions().topicAliasMaximum(1).applyRestrictions());
        sub.client().subscribeWith().topicFilter("hive/#").qos(MqttQos.AT_LEAST_ONCE).send();
        RawMqttClient pub = raw("pub");
        String[] topics = {"hive/x", "hive/x", "hive/y", "hive/x", "hive/y"};
        for (String t : topics) {
            rawPublishQos1(pub, t, t, MqttProperties.EMPTY);
        }

        for (String t : topics) {
            var p = sub.next();
            assertThat(p.getTopic().toString()).isEqualTo(t);
            assertThat(utf8(p.getPayloadAsBytes())).isEqualTo(t);
        }
    }
}
