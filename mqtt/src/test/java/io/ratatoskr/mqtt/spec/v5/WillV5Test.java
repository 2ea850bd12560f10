package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** Will messages: delay, properties, and which DISCONNECT publishes them (MQTT 5.0 §3.1.2.5, §3.1.3.2). */
class WillV5Test extends V5SpecTest {
    private HiveMqClient watcher;

    @BeforeEach
    void watchWills() {
        watcher = hivemqConnected("watcher");
        watcher.client().subscribeWith().topicFilter("will/#").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /** A raw connection whose CONNECT carries a will on {@code will/<clientId>} with a delay, and a session expiry. */
    private RawMqttClient rawWithWill(String clientId, boolean cleanStart, long willDelaySeconds, long sessionExpirySeconds)
            throws Exception {
        RawMqttClient c = rawSocket();
        Will will = new Will("will/" + clientId, utf8(clientId + " is gone"), 1, false,
                MqttProperties.builder().willDelayInterval(willDelaySeconds).build());
        Connect connect = new Connect(MqttVersion.V5, clientId, cleanStart, 60, null, null, will,
                MqttProperties.builder().sessionExpiryInterval(sessionExpirySeconds).build());
        assertThat(rawConnect(c, connect).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        return c;
    }

    /** Whether a will arrives within {@code wait}. */
    private boolean willArrivesWithin(Duration wait) throws InterruptedException {
        return watcher.publishes().receive(wait.toMillis(), TimeUnit.MILLISECONDS).isPresent();
    }

    @ParameterizedTest(name = "will delay {0} s, session expiry {1} s")
    @CsvSource({"1, 60", "30, 1"})
    void willIsPublishedWhenTheWillDelayPassesOrTheSessionEndsWhicheverIsFirst(long willDelay, long sessionExpiry)
            throws Exception {
        RawMqttClient c = rawWithWill("delayed", true, willDelay, sessionExpiry);
        long lostAt = System.nanoTime();
        c.close();

        assertThat(watcher.nextPayload()).isEqualTo("delayed is gone");
        assertThat(Duration.ofNanos(System.nanoTime() - lostAt)).as("after one second, not before, not after 30")
                .isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
    }

    @Test
    void willIsNotPublishedWhenTheClientReconnectsWithinTheDelay() throws Exception {
        rawWithWill("back", true, 2, 60).close();
        RawMqttClient again = rawSocket();
        assertThat(rawConnect(again, connect("back", false, MqttProperties.EMPTY)).sessionPresent()).isTrue();

        // Passage of time is the point: past the will delay, still nothing [MQTT-3.1.3-9].
        assertThat(willArrivesWithin(Duration.ofMillis(2500))).isFalse();
    }

    @Test
    void disconnectWithWillMessagePublishesTheWillWithItsProperties() throws Exception {
        PahoClient paho = paho("paho-watcher");
        paho.client.subscribe("will/#", 1);
        HiveMqClient leaver = hivemqConnected("leaver", c -> c.willPublish().topic("will/leaver")
                .payload(utf8("{\"state\":\"gone\"}")).qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).contentType("application/json")
                .messageExpiryInterval(120).responseTopic("will/replies").correlationData(utf8("c-1"))
                .userProperties().add("site", "north").add("tag", "a").add("tag", "b").applyUserProperties()
                .applyWillPublish());

        leaver.client().disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();

        PahoClient.Received will = paho.next();
        assertThat(will.topic()).isEqualTo("will/leaver");
        assertThat(will.payload()).isEqualTo("{\"state\":\"gone\"}");
        var p = will.properties();
        assertThat(p.getPayloadFormat()).isTrue();
        assertThat(p.getContentType()).isEqualTo("application/json");
        assertThat(p.getMessageExpiryInterval()).isBetween(1L, 120L);
        assertThat(p.getResponseTopic()).isEqualTo("will/replies");
        assertThat(utf8(p.getCorrelationData())).isEqualTo("c-1");
        assertThat(p.getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
                .containsExactly(tuple("site", "north"), tuple("tag", "a"), tuple("tag", "b"));
        assertThat(watcher.nextPayload()).isEqualTo("{\"state\":\"gone\"}");
    }

    @Test
    void rawDisconnectWithReasonWillMessagePublishesTheWill() throws Exception {
        RawMqttClient c = rawWithWill("asks", true, 0, 0);
        c.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, MqttProperties.EMPTY));

        assertThat(watcher.nextPayload()).isEqualTo("asks is gone");
    }

    @Test
    void normalDisconnectDiscardsTheWill() throws Exception {
        HiveMqClient polite = hivemqConnected("polite", c -> c.willPublish().topic("will/polite")
                .payload(utf8("should not be seen")).applyWillPublish());
        polite.client().disconnect();
        RawMqttClient c = rawWithWill("raw-polite", true, 0, 0);
        c.send(Disconnect.NORMAL);
        assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        // Both sessions end with their connections, after the point where a will would have gone out.
        await().atMost(TIMEOUT).until(() -> broker.broker().session("polite") == null
                && broker.broker().session("raw-polite") == null);

        rawPublishQos1(raw("marker"), "will/marker", "marker", MqttProperties.EMPTY);
        assertThat(watcher.nextPayload()).as("the first thing to arrive is the marker").isEqualTo("marker");
    }

    @Test
    void connectionLostWithoutDisconnectPublishesTheWill() throws Exception {
        PahoClient paho = paho("paho-lost", o -> o.setWill("will/paho-lost",
                new MqttMessage(utf8("paho-lost is gone"), 1, false, null)));
        paho.client.disconnectForcibly(0, 1000, false);

        assertThat(watcher.nextPayload()).isEqualTo("paho-lost is gone");
        await().atMost(TIMEOUT).until(() -> broker.broker().session("paho-lost") == null);
    }

    @Test
    void protocolErrorThatClosesTheConnectionPublishesTheWill() throws Exception {
        RawMqttClient c = rawWithWill("clumsy", true, 0, 0);
        c.send(connect("clumsy", true, MqttProperties.EMPTY)); // a second CONNECT [MQTT-3.1.0-2]

        expectDisconnect(c, ReasonCode.PROTOCOL_ERROR);
        assertThat(watcher.nextPayload()).isEqualTo("clumsy is gone");
    }

    /** Connects {@code clientId} with a will, then takes its session over from a second connection. */
    private void takeOver(String clientId, long willDelaySeconds) throws Exception {
        RawMqttClient first = rawWithWill(clientId, true, willDelaySeconds, 60);
        RawMqttClient second = rawSocket();
        assertThat(rawConnect(second, connect(clientId, false, MqttProperties.EMPTY)).sessionPresent()).isTrue();
        expectDisconnect(first, ReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    void takeoverPublishesTheWillOfTheConnectionTakenOver() throws Exception {
        takeOver("twin", 0);

        assertThat(watcher.nextPayload()).isEqualTo("twin is gone");
    }

    @Test
    void takeoverWithinTheWillDelayDoesNotPublishTheWill() throws Exception {
        takeOver("patient", 1);

        // Passage of time is the point: past the will delay, still nothing [MQTT-3.1.3-9].
        assertThat(willArrivesWithin(Duration.ofMillis(1500))).isFalse();
    }
}
