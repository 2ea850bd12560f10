package io.ratatoskr.mqtt.spec;

import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import io.ratatoskr.testkit.FaultyFileChannel;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.ratatoskr.mqtt.spec.RawClients.assertNothingPending;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PUBLISH to durable topics over MQTT: the acknowledgement is a promise (PUBACK/PUBREC only once the
 * append is durable, in arrival order), refusals carry reason codes (v5) or close the connection
 * (3.1.1), idempotent repeats are stored once, and {@code $queue/...} is not a topic to publish to.
 *
 * <p>Files of the topic {@code slow} are opened through {@link #slow} faults, all others through
 * {@link #disk}, so a test can hold or fail the fsync of one topic.
 */
class DurablePublishTest {
    @TempDir
    Path dir;
    final FaultyFileChannel.Faults disk = new FaultyFileChannel.Faults();
    final FaultyFileChannel.Faults slow = new FaultyFileChannel.Faults();
    TestBroker broker;
    DurableTopics topics;
    final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        Path slowDir = dir.resolve("slow");
        LogEnvironment env = LogEnvironment.system().withChannels((path, options) ->
                new FaultyFileChannel(FileChannel.open(path, options), path.startsWith(slowDir) ? slow : disk));
        broker = TestBroker.startWithDurableTopics(dir, env, m -> m);
        topics = broker.durableTopics();
        topics.create("orders", TopicConfig.DEFAULTS);
        topics.create("slow", TopicConfig.DEFAULTS);
        topics.create("small", TopicConfig.builder().maxMessageBytes(16).build());
    }

    @AfterEach
    void stop() throws Exception {
        disk.heal();
        slow.heal();
        for (AutoCloseable c : clients) {
            c.close();
        }
        broker.close();
    }

    private RawMqttClient raw(MqttVersion version, String clientId) throws IOException {
        return raw(new Connect(version, clientId, true, 60, null, null, null, MqttProperties.EMPTY));
    }

    private RawMqttClient raw(Connect connect) throws IOException {
        RawMqttClient c = RawClients.connected(broker, connect);
        clients.add(c);
        return c;
    }

    private static Publish publish(String topic, int qos, int packetId, String payload) {
        return new Publish(topic, qos, false, false, packetId, payload.getBytes(StandardCharsets.UTF_8),
                MqttProperties.EMPTY);
    }

    private List<String> stored(String topic) {
        List<String> out = new ArrayList<>();
        long from = topics.resolve(topic, 0, StartPosition.EARLIEST);
        for (DurableMessage m : topics.read(topic, 0, from, 1000, 1 << 20).messages()) {
            out.add(new String(m.message().payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Asserts that the server closed the connection without sending anything more. */
    private static void expectClosedWithoutAnswer(RawMqttClient c) {
        assertThatThrownBy(() -> {
            MqttPacket p = c.receive(RawClients.TIMEOUT);
            throw new AssertionError("expected the connection to close, got " + p);
        }).isInstanceOfAny(EOFException.class, SocketException.class);
    }

    @Test
    void pubAckArrivesOnlyOnceTheAppendIsDurableWhileLiveSubscribersGetTheMessageAtOnce() throws Exception {
        RawMqttClient subscriber = raw(MqttVersion.V5, "sub");
        RawClients.subscribe(subscriber, 1, "slow/#", 1);
        RawMqttClient publisher = raw(MqttVersion.V5, "pub");
        slow.holdForce(true);

        publisher.send(publish("slow/a", 1, 7, "m1"));

        Awaitility.await().atMost(RawClients.TIMEOUT).until(() -> slow.forcesHeld() > 0);
        assertThat(expect(subscriber, Publish.class).topic()).as("live routing does not wait").isEqualTo("slow/a");
        assertNothingPending(publisher);
        assertThat(stored("slow")).as("not durable yet, so not readable").isEmpty();

        slow.holdForce(false);
        PubAck ack = expect(publisher, PubAck.class);
        assertThat(ack.packetId()).isEqualTo(7);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(stored("slow")).containsExactly("m1");
    }

    @Test
    void acknowledgementsKeepTheOrderOfThePublishesWhenAnEarlyOneIsSlow() throws Exception {
        RawMqttClient publisher = raw(MqttVersion.V5, "pub");
        slow.holdForce(true);

        publisher.send(publish("slow", 1, 1, "held"));
        publisher.send(publish("orders", 1, 2, "durable"));
        publisher.send(publish("no/durable/topic", 1, 3, "live only"));
        publisher.send(publish("orders", 2, 4, "qos2"));

        Awaitility.await().atMost(RawClients.TIMEOUT).until(() -> stored("orders").size() == 2);
        assertNothingPending(publisher);
        slow.holdForce(false);
        assertThat(expect(publisher, PubAck.class).packetId()).isEqualTo(1);
        assertThat(expect(publisher, PubAck.class).packetId()).isEqualTo(2);
        PubAck third = expect(publisher, PubAck.class);
        assertThat(third.packetId()).isEqualTo(3);
        assertThat(third.reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(expect(publisher, PubRec.class).packetId()).isEqualTo(4);
    }

    @Test
    void aBurstOfPublishesInOneWriteIsAcknowledgedInArrivalOrderAndOnlyOnceEachIsDurable() throws Exception {
        RawMqttClient publisher = raw(MqttVersion.V5, "pub");
        slow.holdForce(true);
        // One write: the broker reads them as one burst, their appends complete together, and their PUBACKs
        // reach the connection's loop as one hand-off. The held topic comes first in every pair, so each
        // stored message of "orders" waits behind one of "slow".
        int pairs = 100;
        java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < pairs; i++) {
            burst.writeBytes(RawClients.encode(publish("slow", 1, 2 * i + 1, "s" + i), MqttVersion.V5));
            burst.writeBytes(RawClients.encode(publish("orders", 1, 2 * i + 2, "o" + i), MqttVersion.V5));
        }
        publisher.sendRaw(burst.toByteArray());

        Awaitility.await().atMost(RawClients.TIMEOUT).until(() -> stored("orders").size() == pairs);
        assertNothingPending(publisher); // "orders" is durable, but every one of its PUBACKs waits behind "slow"
        assertThat(stored("slow")).as("not durable yet").isEmpty();

        slow.holdForce(false);
        for (int id = 1; id <= 2 * pairs; id++) {
            PubAck ack = expect(publisher, PubAck.class);
            assertThat(ack.packetId()).as("PUBACKs in the order of the PUBLISHes").isEqualTo(id);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
        assertNothingPending(publisher);
        assertThat(stored("slow")).hasSize(pairs).first().isEqualTo("s0");
        assertThat(stored("orders")).hasSize(pairs).last().isEqualTo("o" + (pairs - 1));
    }

    @Test
    void aQos2PublishSentAgainWhileItsPubRecWaitsBehindAnEarlierAckIsStoredAndDeliveredOnce() throws Exception {
        RawMqttClient subscriber = raw(MqttVersion.V5, "sub");
        RawClients.subscribe(subscriber, 1, "orders", 2);
        // 3.1.1 lets a client send a PUBLISH again (DUP) on the same connection.
        RawMqttClient publisher = raw(MqttVersion.V3_1_1, "pub");
        slow.holdForce(true);

        publisher.send(publish("slow", 1, 1, "held"));
        publisher.send(publish("orders", 2, 2, "once"));
        Awaitility.await().atMost(RawClients.TIMEOUT).until(() -> stored("orders").size() == 1);
        // Stored, but its PUBREC waits behind the PUBACK of packet 1: the client sends it again.
        publisher.send(new Publish("orders", 2, false, true, 2, "once".getBytes(StandardCharsets.UTF_8),
                MqttProperties.EMPTY));
        assertNothingPending(publisher);
        slow.holdForce(false);

        assertThat(expect(publisher, PubAck.class).packetId()).isEqualTo(1);
        assertThat(expect(publisher, PubRec.class).packetId()).isEqualTo(2);
        assertThat(expect(publisher, PubRec.class).packetId()).as("the repeat is acknowledged too").isEqualTo(2);
        publisher.send(new MqttPacket.PubRel(2));
        assertThat(expect(publisher, MqttPacket.PubComp.class).packetId()).isEqualTo(2);
        assertThat(stored("orders")).as("stored once").containsExactly("once");
        assertThat(new String(expect(subscriber, Publish.class).payload(), StandardCharsets.UTF_8)).isEqualTo("once");
        assertNothingPending(subscriber);
    }

    @Test
    void aFailedFsyncIsRefusedWithReasonCodeAndStringInV5() throws Exception {
        RawMqttClient publisher = raw(MqttVersion.V5, "pub");
        slow.failForce(true);

        publisher.send(publish("slow", 1, 1, "lost?"));
        PubAck ack = expect(publisher, PubAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        assertThat(ack.properties().reasonString()).contains("partition slow/0 cannot take writes");

        publisher.send(publish("slow", 2, 2, "qos2"));
        PubRec rec = expect(publisher, PubRec.class);
        assertThat(rec.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        assertThat(broker.counter("ratatoskr.messages.refused", "reason", "partition_failed")).isEqualTo(2);

        // The refused QoS 2 identifier is free again [MQTT-4.3.3]: once the disk is back, the same
        // identifier carries a new message that is stored.
        slow.heal();
        assertThat(topics.recoverFailedPartitions()).isZero();
        publisher.send(publish("slow", 2, 2, "again"));
        assertThat(expect(publisher, PubRec.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(stored("slow")).containsExactly("again");
        assertNothingPending(publisher);
    }

    @Test
    void aFailedFsyncClosesAV311ConnectionWithoutAcknowledging() throws Exception {
        RawMqttClient publisher = raw(MqttVersion.V3_1_1, "pub311");
        publisher.send(publish("orders", 1, 1, "fine"));
        assertThat(expect(publisher, PubAck.class).packetId()).isEqualTo(1);
        slow.failForce(true);

        publisher.send(publish("slow", 1, 2, "refused"));

        expectClosedWithoutAnswer(publisher);
        assertThat(broker.counter("ratatoskr.messages.refused", "reason", "partition_failed")).isEqualTo(1);
        assertThat(stored("slow")).isEmpty();
    }

    @Test
    void anOversizedMessageIsRefusedBeforeRoutingWithQuotaExceeded() throws Exception {
        RawMqttClient subscriber = raw(MqttVersion.V5, "sub");
        RawClients.subscribe(subscriber, 1, "small", 1);
        RawMqttClient publisher = raw(MqttVersion.V5, "pub");

        publisher.send(publish("small", 1, 1, "x".repeat(17)));
        PubAck ack = expect(publisher, PubAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(ack.properties().reasonString())
                .isEqualTo("message of 17 bytes exceeds the max message size 16 of durable topic 'small'");
        publisher.send(publish("small", 0, 0, "y".repeat(17)));
        publisher.send(publish("small", 1, 2, "fits"));
        assertThat(expect(publisher, PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);

        assertThat(new String(expect(subscriber, Publish.class).payload(), StandardCharsets.UTF_8))
                .as("the refused messages never reached the subscriber").isEqualTo("fits");
        assertThat(broker.counter("ratatoskr.messages.dropped", "reason", "message_too_large")).isEqualTo(1);

        // A client that asked for no problem information gets the code without the string [MQTT-3.1.2-29].
        RawMqttClient quiet = raw(new Connect(MqttVersion.V5, "quiet", true, 60, null, null, null,
                MqttProperties.builder().requestProblemInformation(0).build()));
        quiet.send(publish("small", 1, 1, "x".repeat(17)));
        PubAck bare = expect(quiet, PubAck.class);
        assertThat(bare.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(bare.properties().reasonString()).isNull();
    }

    @Test
    void anOversizedMessageClosesAV311Connection() throws Exception {
        RawMqttClient publisher = raw(MqttVersion.V3_1_1, "pub311");
        publisher.send(publish("small", 1, 1, "x".repeat(17)));
        expectClosedWithoutAnswer(publisher);
    }

    @Test
    void pahoV5RepeatsWithTheSameIdempotencyKeyAreStoredAndDeliveredOnce() throws Exception {
        RawMqttClient subscriber = raw(MqttVersion.V5, "sub");
        RawClients.subscribe(subscriber, 1, "orders/#", 1);
        MqttClient pub = pahoV5("paho-pub");

        for (String payload : List.of("pay 10", "pay 10", "pay 20")) {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, null);
            org.eclipse.paho.mqttv5.common.packet.MqttProperties props =
                    new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
            props.setUserProperties(List.of(new UserProperty(PublishOptions.IDEMPOTENCY_KEY, "tx-" + payload)));
            m.setProperties(props);
            pub.publish("orders/eu", m);
        }

        assertThat(stored("orders")).containsExactly("pay 10", "pay 20");
        assertThat(new String(expect(subscriber, Publish.class).payload(), StandardCharsets.UTF_8)).isEqualTo("pay 10");
        assertThat(new String(expect(subscriber, Publish.class).payload(), StandardCharsets.UTF_8)).isEqualTo("pay 20");
        assertNothingPending(subscriber);
        assertThat(broker.counter("ratatoskr.durable.messages.duplicates")).isEqualTo(1);
    }

    private MqttClient pahoV5(String clientId) throws Exception {
        MqttClient c = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        c.setTimeToWait(RawClients.TIMEOUT.toMillis());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o);
        clients.add(() -> {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        });
        return c;
    }

    @Test
    void clientsMayNotPublishToQueueTopics() throws Exception {
        RawMqttClient v5 = raw(MqttVersion.V5, "pub5");
        v5.send(publish("$queue/workers/orders", 1, 1, "nope"));
        PubAck refused = expect(v5, PubAck.class);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(refused.properties().reasonString()).contains("$queue");

        RawMqttClient v3 = raw(MqttVersion.V3_1_1, "pub3");
        v3.send(publish("$queue/workers/orders", 1, 1, "nope"));
        assertThat(expect(v3, PubAck.class).reasonCode()).as("3.1.1: acknowledged and dropped").isZero();
        assertNothingPending(v3);
        assertThat(broker.counter("ratatoskr.messages.refused", "reason", "queue_topic")).isEqualTo(2);

        RawMqttClient impostor = RawClients.open(broker, MqttVersion.V5);
        clients.add(impostor);
        impostor.send(new Connect(MqttVersion.V5, "impostor", true, 60, null, null,
                new MqttPacket.Will("$queue/workers/orders", new byte[1], 1, false, MqttProperties.EMPTY),
                MqttProperties.EMPTY));
        assertThat(expect(impostor, MqttPacket.ConnAck.class).reasonCode()).as("nor leave a will there")
                .isEqualTo(ReasonCode.NOT_AUTHORIZED);
    }
}
