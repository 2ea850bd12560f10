package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** CONNECT and CONNACK, session expiry, takeover and DISCONNECT (MQTT 5.0 §3.1, §3.2, §3.14, §4.1). */
class ConnectV5Test extends V5SpecTest {

    @Test
    void connAckAdvertisesTheLimitsAndFeaturesOfTheBroker() throws Exception {
        restartBroker(b -> b, limits(4096, 10, 5, -1));

        ConnAck raw = rawConnect(rawSocket(), connect("raw", true, MqttProperties.EMPTY));
        MqttProperties p = raw.properties();
        assertThat(raw.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(p.receiveMaximum()).as("receive maximum").isEqualTo(10);
        assertThat(p.maximumPacketSize()).as("maximum packet size").isEqualTo(4096);
        assertThat(p.topicAliasMaximum()).as("topic alias maximum").isEqualTo(5);
        // Absent means available too (§3.2.2.3.5 and on); the broker says so explicitly.
        assertThat(p.retainAvailable()).as("retain available").isIn(-1, 1);
        assertThat(p.wildcardSubscriptionAvailable()).as("wildcards available").isIn(-1, 1);
        assertThat(p.subscriptionIdentifierAvailable()).as("subscription identifiers available").isIn(-1, 1);
        assertThat(p.sharedSubscriptionAvailable()).as("shared subscriptions available").isIn(-1, 1);
        assertThat(p.maximumQos()).as("maximum QoS absent: QoS 2 supported").isEqualTo(-1);

        Mqtt5ConnAck hive = hivemq("hive").connect();
        Mqtt5ConnAckRestrictions r = hive.getRestrictions();
        assertThat(r.getReceiveMaximum()).isEqualTo(10);
        assertThat(r.getMaximumPacketSize()).isEqualTo(4096);
        assertThat(r.getTopicAliasMaximum()).isEqualTo(5);
        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(r.isRetainAvailable()).isTrue();
        assertThat(r.isWildcardSubscriptionAvailable()).isTrue();
        assertThat(r.areSubscriptionIdentifiersAvailable()).isTrue();
        assertThat(r.isSharedSubscriptionAvailable()).isTrue();
    }

    @Test
    void emptyClientIdentifierGetsAnAssignedOneInConnAck() throws Exception {
        ConnAck first = rawConnect(rawSocket(), connect("", true, MqttProperties.EMPTY));
        ConnAck second = rawConnect(rawSocket(), connect("", true, MqttProperties.EMPTY));

        String assigned = first.properties().assignedClientIdentifier();
        assertThat(first.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(assigned).isNotBlank();
        assertThat(second.properties().assignedClientIdentifier()).isNotBlank().isNotEqualTo(assigned);
        assertThat(broker.broker().session(assigned)).as("session under the assigned identifier").isNotNull();

        PahoClient paho = paho("");
        assertThat(paho.token.getResponseProperties().getAssignedClientIdentifier()).isNotBlank();

        Mqtt5ConnAck hive = hivemq("").connect();
        assertThat(hive.getAssignedClientIdentifier()).isPresent();
        assertThat(rawConnect(rawSocket(), connect("named", true, MqttProperties.EMPTY)).properties()
                .assignedClientIdentifier()).as("no identifier assigned when the client has one").isNull();
    }

    @Test
    void sessionOfAnAssignedIdentifierCanBeResumedUnderThatIdentifier() throws Exception {
        MqttProperties keep = MqttProperties.builder().sessionExpiryInterval(60).build();
        RawMqttClient first = rawSocket();
        String assigned = rawConnect(first, connect("", true, keep)).properties().assignedClientIdentifier();
        rawSubscribe(first, "assigned/topic", 1);
        first.close();

        RawMqttClient again = rawSocket();
        assertThat(rawConnect(again, connect(assigned, false, keep)).sessionPresent()).isTrue();
        rawPublishQos1(raw("pub"), "assigned/topic", "still subscribed", MqttProperties.EMPTY);
        assertThat(utf8(expect(again, Publish.class).payload()))
                .isEqualTo("still subscribed");
    }

    @Test
    void sessionWithExpiryOutlivesTheConnectionAndKeepsItsSubscriptionsAndMessages() throws Exception {
        HiveMqClient sub = hivemqConnected("keeper", c -> c.cleanStart(true).sessionExpiryInterval(60));
        assertThat(sub.connAck().isSessionPresent()).isFalse();
        sub.client().subscribeWith().topicFilter("kept/#").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.client().disconnect();

        HiveMqClient pub = hivemqConnected("publisher");
        pub.client().publishWith().topic("kept/1").payload(utf8("while away")).qos(MqttQos.AT_LEAST_ONCE).send();

        Mqtt5ConnAck again = sub.client().connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        assertThat(again.isSessionPresent()).as("session present").isTrue();
        assertThat(sub.nextPayload()).isEqualTo("while away");
    }

    @Test
    void sessionIsDiscardedWhenItsExpiryIntervalHasPassed() throws Exception {
        // Two seconds, so that "kept right after the disconnect" holds on a loaded machine too.
        RawMqttClient c = raw("brief", MqttProperties.builder().sessionExpiryInterval(2).build());
        rawSubscribe(c, "brief/topic", 1);
        long closedAt = System.nanoTime();
        c.send(Disconnect.NORMAL);
        assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        assertThat(broker.broker().session("brief")).as("kept right after the disconnect").isNotNull();

        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().session("brief") == null);
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).as("kept for the interval")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
        assertThat(broker.broker().subscriptionCount()).as("its subscriptions are gone").isZero();

        ConnAck again = rawConnect(rawSocket(), connect("brief", false, MqttProperties.EMPTY));
        assertThat(again.sessionPresent()).isFalse();
    }

    @Test
    void sessionExpiryIsCappedByTheBrokerAndTheCapIsToldInConnAck() throws Exception {
        restartBroker(session(s -> withMaxSessionExpiry(s, 1)), m -> m);

        Mqtt5ConnAck capped = hivemq("capped").connectWith().sessionExpiryInterval(3600).send();
        assertThat(capped.getSessionExpiryInterval()).hasValue(1);
        ConnAck within = rawConnect(rawSocket(),
                connect("within", true, MqttProperties.builder().sessionExpiryInterval(1).build()));
        assertThat(within.properties().sessionExpiryInterval()).as("not repeated when granted").isEqualTo(-1);

        RawMqttClient c = raw("raw-capped", MqttProperties.builder().sessionExpiryInterval(3600).build());
        c.send(Disconnect.NORMAL);
        assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().session("raw-capped") == null);
    }

    @Test
    void serverKeepAliveIsReturnedWhenTheClientAsksForLongerThanTheMaximum() throws Exception {
        restartBroker(b -> b, limits(-1, -1, -1, 30));

        Mqtt5ConnAck tooLong = hivemq("long").connectWith().keepAlive(120).send();
        assertThat(tooLong.getServerKeepAlive()).hasValue(30);
        PahoClient paho = paho("paho-long", o -> o.setKeepAliveInterval(300));
        assertThat(paho.token.getResponseProperties().getServerKeepAlive()).isEqualTo(30);

        Mqtt5ConnAck fine = hivemq("fine").connectWith().keepAlive(20).send();
        assertThat(fine.getServerKeepAlive()).as("no Server Keep Alive when the client's is accepted").isEmpty();
    }

    @Test
    void brokerHoldsTheClientToTheServerKeepAliveItReturned() throws Exception {
        restartBroker(b -> b, limits(-1, -1, -1, 1));
        RawMqttClient quiet = rawSocket();
        assertThat(rawConnect(quiet, connect("quiet", true, MqttProperties.EMPTY)).properties().serverKeepAlive())
                .isEqualTo(1);
        long connectedAt = System.nanoTime();

        // [MQTT-3.1.2-24]: nothing for one and a half times the keep-alive the client must now use.
        expectDisconnect(quiet, ReasonCode.KEEP_ALIVE_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - connectedAt)).isBetween(Duration.ofMillis(1400),
                Duration.ofSeconds(4));
    }

    @Test
    void takeoverSendsSessionTakenOverToTheFirstConnection() throws Exception {
        RawMqttClient first = raw("twin", MqttProperties.builder().sessionExpiryInterval(60).build());
        rawSubscribe(first, "twin/topic", 1);

        ConnAck second = rawConnect(rawSocket(), connect("twin", false, MqttProperties.EMPTY));

        expectDisconnect(first, ReasonCode.SESSION_TAKEN_OVER);
        assertThat(second.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(second.sessionPresent()).as("the session moved to the new connection").isTrue();

        PahoClient pahoFirst = paho("paho-twin");
        paho("paho-twin");
        assertThat(pahoFirst.nextDisconnect().getReturnCode()).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    void stoppingTheBrokerSendsServerShuttingDownToV5ClientsAndJustClosesTheOthers() throws Exception {
        RawMqttClient v5 = raw("leaving-v5");
        RawMqttClient v311 = closeAfterTest(RawMqttClient.connect("127.0.0.1", broker.port(), MqttVersion.V3_1_1));
        v311.send(new Connect(MqttVersion.V3_1_1, "leaving-v311", true, 60, null, null, null, MqttProperties.EMPTY));
        assertThat(expect(v311, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        RawMqttClient connecting = rawSocket();
        PahoClient paho = paho("leaving-paho");

        broker.close();

        // MQTT 5.0 §3.14.2.1: 0x8B; no DISCONNECT before a successful CONNACK [MQTT-3.14.0-1], none in 3.1.1.
        expectDisconnect(v5, ReasonCode.SERVER_SHUTTING_DOWN);
        assertThat(paho.nextDisconnect().getReturnCode()).isEqualTo(ReasonCode.SERVER_SHUTTING_DOWN);
        assertThatThrownBy(() -> v311.receive(TIMEOUT)).as("3.1.1: the connection just closes")
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> connecting.receive(TIMEOUT)).isInstanceOf(EOFException.class);
    }

    @Test
    void cleanStartDiscardsTheExistingSession() throws Exception {
        Mqtt5BlockingClient c = hivemq("fresh");
        c.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        c.subscribeWith().topicFilter("fresh/topic").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();

        HiveMqClient fresh = hivemqConnected("fresh");
        HiveMqClient pub = hivemqConnected("pub");
        pub.client().publishWith().topic("fresh/topic").payload(utf8("old subscription")).qos(MqttQos.AT_LEAST_ONCE)
                .send();

        fresh.expectSilence();
        assertThat(broker.broker().subscriptionCount()).as("the old subscription is gone").isZero();
    }

    @Test
    void disconnectCanShortenTheSessionExpiry() throws Exception {
        Mqtt5BlockingClient c = hivemq("shorten");
        c.connectWith().sessionExpiryInterval(3600).send();
        c.disconnectWith().sessionExpiryInterval(0).send();

        await().atMost(TIMEOUT).until(() -> broker.broker().session("shorten") == null);
        assertThat(c.connectWith().cleanStart(false).send().isSessionPresent()).isFalse();
    }

    @Test
    void disconnectCanLengthenTheSessionExpiry() throws Exception {
        RawMqttClient c = raw("lengthen", MqttProperties.builder().sessionExpiryInterval(1).build());
        c.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION,
                MqttProperties.builder().sessionExpiryInterval(3600).build()));
        assertThat(c.awaitClosed(TIMEOUT)).isTrue();

        // Passage of time is the point here: past the interval given on CONNECT.
        Thread.sleep(1500);
        assertThat(rawConnect(rawSocket(), connect("lengthen", false, MqttProperties.EMPTY)).sessionPresent())
                .as("session kept past the interval given on CONNECT").isTrue();
    }

    @Test
    void disconnectSettingAnExpiryAfterZeroOnConnectIsAProtocolError() throws Exception {
        RawMqttClient c = raw("zero");
        c.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION,
                MqttProperties.builder().sessionExpiryInterval(60).build()));

        expectDisconnect(c, ReasonCode.PROTOCOL_ERROR);
        await().atMost(TIMEOUT).until(() -> broker.broker().session("zero") == null);
    }
}
