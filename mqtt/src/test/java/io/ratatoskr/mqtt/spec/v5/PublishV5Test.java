package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult.Mqtt5Qos1Result;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult.Mqtt5Qos2Result;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.codec.UserProperty;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** PUBLISH properties, message expiry and the QoS 1/2 flows (MQTT 5.0 §3.3-§3.7, §4.3). */
class PublishV5Test extends V5SpecTest {

    @Test
    void userPropertiesArePassedThroughInOrderRepeatedNamesIncluded() throws Exception {
        HiveMqClient hive = hivemqConnected("hive-sub");
        hive.client().subscribeWith().topicFilter("props").qos(MqttQos.AT_LEAST_ONCE).send();
        RawMqttClient raw = raw("raw-sub");
        rawSubscribe(raw, "props", 1);
        PahoClient paho = paho("paho-pub");

        org.eclipse.paho.mqttv5.common.packet.MqttProperties props =
                new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        props.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("k", "1"),
                new org.eclipse.paho.mqttv5.common.packet.UserProperty("x", "2"),
                new org.eclipse.paho.mqttv5.common.packet.UserProperty("k", "3")));
        paho.client.publish("props", new MqttMessage(utf8("m"), 1, false, props));

        assertThat(hive.next().getUserProperties().asList())
                .extracting(p -> p.getName().toString(), p -> p.getValue().toString())
                .containsExactly(tuple("k", "1"), tuple("x", "2"), tuple("k", "3"));
        assertThat(expect(raw, Publish.class).properties().userProperties())
                .containsExactly(new UserProperty("k", "1"), new UserProperty("x", "2"), new UserProperty("k", "3"));

        paho.client.subscribe("props/back", 1);
        hive.client().publishWith().topic("props/back").qos(MqttQos.AT_LEAST_ONCE)
                .userProperties(userProperties("b", "2", "a", "1", "b", "0")).send();
        assertThat(paho.next().properties().getUserProperties())
                .extracting(p -> p.getKey(), p -> p.getValue())
                .containsExactly(tuple("b", "2"), tuple("a", "1"), tuple("b", "0"));
    }

    @Test
    void payloadFormatIndicatorAndContentTypeReachTheSubscriber() throws Exception {
        PahoClient paho = paho("paho-sub");
        paho.client.subscribe("typed", 1);
        HiveMqClient hive = hivemqConnected("hive-pub");

        hive.client().publishWith().topic("typed").payload(utf8("{\"a\":1}")).qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).contentType("application/json").send();
        hive.client().publishWith().topic("typed").payload(new byte[] {1, 2}).qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UNSPECIFIED).send();

        PahoClient.Received json = paho.next();
        assertThat(json.properties().getPayloadFormat()).as("UTF-8 payload").isTrue();
        assertThat(json.properties().getContentType()).isEqualTo("application/json");
        PahoClient.Received bytes = paho.next();
        assertThat(bytes.properties().getPayloadFormat()).as("unspecified bytes").isFalse();
        assertThat(bytes.properties().getContentType()).isNull();
    }

    @Test
    void responseTopicAndCorrelationDataCarryARequestAndItsResponse() throws Exception {
        PahoClient responder = paho("responder");
        responder.client.subscribe("service/time", 1);
        HiveMqClient requester = hivemqConnected("requester");
        requester.client().subscribeWith().topicFilter("replies/requester").qos(MqttQos.AT_LEAST_ONCE).send();

        requester.client().publishWith().topic("service/time").payload(utf8("what time is it?"))
                .qos(MqttQos.AT_LEAST_ONCE).responseTopic("replies/requester").correlationData(utf8("req-42"))
                .send();

        PahoClient.Received request = responder.next();
        String replyTo = request.properties().getResponseTopic();
        byte[] correlation = request.properties().getCorrelationData();
        assertThat(replyTo).isEqualTo("replies/requester");
        assertThat(utf8(correlation)).isEqualTo("req-42");

        org.eclipse.paho.mqttv5.common.packet.MqttProperties replyProps =
                new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        replyProps.setCorrelationData(correlation);
        responder.client.publish(replyTo, new MqttMessage(utf8("noon"), 1, false, replyProps));

        Mqtt5Publish reply = requester.next();
        assertThat(utf8(reply.getPayloadAsBytes())).isEqualTo("noon");
        assertThat(reply.getCorrelationData()).map(PublishV5Test::bytes).hasValueSatisfying(
                c -> assertThat(utf8(c)).isEqualTo("req-42"));
    }

    private static final MqttProperties KEEP_SESSION = MqttProperties.builder().sessionExpiryInterval(60).build();

    /** A session subscribed to {@code filter} at QoS 1 whose client has disconnected. */
    private void offlineSubscriber(String clientId, String filter) throws Exception {
        RawMqttClient sub = raw(clientId, KEEP_SESSION);
        rawSubscribe(sub, filter, 1);
        sub.send(Disconnect.NORMAL);
        assertThat(sub.awaitClosed(TIMEOUT)).isTrue();
    }

    @Test
    void deliveryLatencyTimesLiveDeliveriesNotTheAgeOfRetainedMessagesSentOnSubscribe() throws Exception {
        // Retained a minute ago on the broker's clock: a new subscriber gets it, but not a minute late.
        broker.broker().publish(new io.ratatoskr.core.message.Message("lat/status", utf8("old"), 1, true,
                io.ratatoskr.core.message.MessageProperties.EMPTY, "earlier", System.currentTimeMillis() - 60_000));
        RawMqttClient sub = raw("lat-sub");
        rawSubscribe(sub, "lat/#", 1);
        Publish retained = expect(sub, Publish.class);
        assertThat(retained.retain()).isTrue();
        sub.send(new PubAck(retained.packetId()));
        io.micrometer.core.instrument.Timer latency = broker.registry().get("ratatoskr.messages.delivery.latency")
                .tag("protocol", "mqtt").timer();
        assertThat(latency.count()).as("the retained message is not timed").isZero();

        rawPublishQos1(raw("lat-pub"), "lat/live", "now", MqttProperties.EMPTY);
        Publish live = expect(sub, Publish.class);
        assertThat(live.retain()).isFalse();
        assertThat(latency.count()).isEqualTo(1);
        assertThat(latency.max(java.util.concurrent.TimeUnit.SECONDS)).isLessThan(30);
    }

    @Test
    void deliveryLatencyTakesOneSamplePerBatchWrittenWhileEveryMessageIsCounted() throws Exception {
        RawMqttClient sub = raw("batch-sub");
        rawSubscribe(sub, "batch/#", 0);
        RawMqttClient pub = raw("batch-pub");
        int n = 50;
        for (int i = 0; i < n; i++) {
            pub.send(new Publish("batch/t", 0, false, false, 0, utf8("m" + i), MqttProperties.EMPTY));
        }
        for (int i = 0; i < n; i++) {
            assertThat(utf8(expect(sub, Publish.class).payload())).isEqualTo("m" + i);
        }

        double sent = broker.registry().get("ratatoskr.messages.sent").tag("protocol", "mqtt").tag("qos", "0")
                .functionCounter().count();
        assertThat(sent).as("every message written is counted").isEqualTo(n);
        io.micrometer.core.instrument.Timer latency = broker.registry().get("ratatoskr.messages.delivery.latency")
                .tag("protocol", "mqtt").timer();
        assertThat(latency.count()).as("one sample per flush of the subscriber's connection")
                .isBetween(1L, (long) n);
        assertThat(latency.max(java.util.concurrent.TimeUnit.SECONDS)).isLessThan(30);
    }

    @Test
    void expiredMessageIsNotDeliveredToASessionThatWasOffline() throws Exception {
        offlineSubscriber("offline", "exp/#");

        RawMqttClient pub = raw("pub");
        rawPublishQos1(pub, "exp/a", "short-lived", MqttProperties.builder().messageExpiryInterval(1).build());
        rawPublishQos1(pub, "exp/a", "lasting", MqttProperties.EMPTY);
        pub.send(new Publish("stale/retained", 1, true, false, 2, utf8("stale"),
                MqttProperties.builder().messageExpiryInterval(1).build()));
        expect(pub, PubAck.class);
        // Passage of time is the point: the intervals of 1 s run out while the session is offline.
        Thread.sleep(1500);

        RawMqttClient back = rawSocket();
        assertThat(rawConnect(back, connect("offline", false, KEEP_SESSION)).sessionPresent()).isTrue();
        Publish p = expect(back, Publish.class);
        assertThat(utf8(p.payload())).isEqualTo("lasting");
        assertThat(p.properties().messageExpiryInterval()).as("no expiry on the lasting one").isEqualTo(-1);
        back.send(new PubAck(p.packetId()));
        expectSilence(back);
        assertThat(broker.counter("ratatoskr.messages.dropped", "reason", "expired")).isEqualTo(1);

        RawMqttClient late = raw("late");
        rawSubscribe(late, "stale/retained", 1);
        expectSilence(late); // the expired retained message is not sent either
    }

    @Test
    void expiryIntervalSentOnIsLoweredByTheTimeTheMessageWaited() throws Exception {
        offlineSubscriber("waiting", "exp/b");
        RawMqttClient online = raw("online");
        rawSubscribe(online, "exp/b", 1);

        RawMqttClient pub = raw("pub");
        rawPublishQos1(pub, "exp/b", "ticking", MqttProperties.builder().messageExpiryInterval(30).build());
        assertThat(expect(online, Publish.class).properties().messageExpiryInterval())
                .as("delivered at once: the whole interval").isEqualTo(30);
        // Passage of time is the point: the message waits more than a second for its subscriber.
        Thread.sleep(1200);

        RawMqttClient back = rawSocket();
        rawConnect(back, connect("waiting", false, KEEP_SESSION));
        long remaining = expect(back, Publish.class).properties().messageExpiryInterval();
        assertThat(remaining).as("[MQTT-3.3.2-6] lowered by the whole seconds waited").isBetween(1L, 29L);
    }

    @Test
    void ackSaysNoMatchingSubscribersWhenNobodySubscribed() throws Exception {
        RawMqttClient raw = raw("raw-pub");
        PubAck lonely = rawPublishQos1(raw, "nobody/here", "x", MqttProperties.EMPTY);
        assertThat(lonely.reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        raw.send(new Publish("nobody/here", 2, false, false, 2, utf8("x"), MqttProperties.EMPTY));
        assertThat(expect(raw, PubRec.class).reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        raw.send(new PubRel(2));
        assertThat(expect(raw, PubComp.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);

        HiveMqClient hive = hivemqConnected("hive-pub");
        var qos1 = (Mqtt5Qos1Result) hive.client().publishWith().topic("nobody/here").qos(MqttQos.AT_LEAST_ONCE)
                .send();
        assertThat(qos1.getPubAck().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        var qos2 = (Mqtt5Qos2Result) hive.client().publishWith().topic("nobody/here").qos(MqttQos.EXACTLY_ONCE)
                .send();
        assertThat(qos2.getPubRec().getReasonCode()).isEqualTo(Mqtt5PubRecReasonCode.NO_MATCHING_SUBSCRIBERS);

        hive.client().subscribeWith().topicFilter("nobody/#").send();
        assertThat(rawPublishQos1(raw, "nobody/here", "y", MqttProperties.EMPTY).reasonCode())
                .as("now somebody has").isEqualTo(ReasonCode.SUCCESS);
    }

    @Test
    void qos1AndQos2FlowsDeliverEveryMessageOnceInOrderBetweenPahoAndHiveMq() throws Exception {
        int n = 20;
        HiveMqClient hive = hivemqConnected("hive");
        hive.client().subscribeWith().topicFilter("flow/to-hive").qos(MqttQos.EXACTLY_ONCE).send();
        PahoClient paho = paho("paho");
        paho.client.subscribe("flow/to-paho", 2);

        for (int i = 0; i < n; i++) {
            paho.client.publish("flow/to-hive", utf8("p" + i), 1 + i % 2, false);
            hive.client().publishWith().topic("flow/to-paho").payload(utf8("h" + i))
                    .qos(i % 2 == 0 ? MqttQos.AT_LEAST_ONCE : MqttQos.EXACTLY_ONCE).send();
        }

        List<String> atHive = new ArrayList<>();
        List<String> atPaho = new ArrayList<>();
        List<String> expectedAtHive = new ArrayList<>();
        List<String> expectedAtPaho = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Mqtt5Publish h = hive.next();
            atHive.add(utf8(h.getPayloadAsBytes()) + "@" + h.getQos().getCode());
            PahoClient.Received p = paho.next();
            atPaho.add(p.payload() + "@" + p.message().getQos());
            expectedAtHive.add("p" + i + "@" + (1 + i % 2));
            expectedAtPaho.add("h" + i + "@" + (1 + i % 2));
        }
        assertThat(atHive).containsExactlyElementsOf(expectedAtHive);
        assertThat(atPaho).containsExactlyElementsOf(expectedAtPaho);
        hive.expectSilence();
        paho.expectSilence();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static Mqtt5UserProperties userProperties(String... nameValues) {
        List<Mqtt5UserProperty> ps = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            ps.add(Mqtt5UserProperty.of(nameValues[i], nameValues[i + 1]));
        }
        return Mqtt5UserProperties.of(ps);
    }
}
