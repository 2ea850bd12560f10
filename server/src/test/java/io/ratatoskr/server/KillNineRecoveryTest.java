package io.ratatoskr.server;

import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Principle 1 across a crash: a real broker process is loaded with retained messages, offline and
 * online persistent sessions, messages in flight both ways and wills, and killed with SIGKILL while a
 * publisher is still publishing; a new broker on the same data directory must give every client what
 * was acknowledged to it. One kill for all the scenarios (each broker start is a JVM start); each
 * test checks one of them with its own clients and topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillNineRecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int ACKED_BEFORE_LOAD = 100;

    private BrokerProcess broker;
    private final List<Integer> ackedUnderLoad = new ArrayList<>();
    private final List<Integer> inflightPacketIds = new ArrayList<>();
    private long shortSessionDisconnectedAt;
    private RawMqttClient holdingConsumer;

    @BeforeAll
    void loadKillAndRestart(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        BrokerProcess first = BrokerProcess.start(data, tmp.resolve("first.err"));
        try {
            prepare(first.uri(), first.port());
            publishUntilKilled(first);
        } finally {
            first.close();
            if (holdingConsumer != null) {
                holdingConsumer.close();
            }
        }
        broker = BrokerProcess.start(data, tmp.resolve("second.err"));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (broker != null) {
            broker.close();
        }
    }

    private void prepare(String uri, int port) throws Exception {
        // (a) retained: one kept, one cleared, one that expires
        try (MqttClient pub = v3(uri, "pub-a")) {
            pub.connect(options(true));
            pub.publish("a/kept", bytes("kept"), 1, true);
            pub.publish("a/cleared", bytes("soon gone"), 1, true);
            pub.publish("a/cleared", new byte[0], 1, true);
            pub.disconnect();
        }
        // (b) an offline persistent session subscribed at QoS 1
        try (MqttClient sub = v3(uri, "sub-b")) {
            sub.connect(options(false));
            sub.subscribe("b/t", 1);
            sub.disconnect();
        }
        // (c) a consumer that takes three messages and acknowledges none
        RawMqttClient c = RawMqttClient.connect("127.0.0.1", port, MqttVersion.V3_1_1);
        holdingConsumer = c;
        c.send(new Connect(MqttVersion.V3_1_1, "sub-c", false, 600, null, null, null, MqttProperties.EMPTY));
        assertThat(c.receive(WAIT)).isInstanceOf(ConnAck.class);
        c.send(new Subscribe(1, List.of(new Subscription("c/t", 1, false, false, 0)), MqttProperties.EMPTY));
        assertThat(c.receive(WAIT)).isInstanceOf(SubAck.class);
        // (d) an offline QoS 2 subscriber, and a publisher whose QoS 2 PUBLISH got PUBREC but no PUBREL yet
        try (MqttClient sub = v3(uri, "sub-d")) {
            sub.connect(options(false));
            sub.subscribe("d/t", 2);
            sub.disconnect();
        }
        try (RawMqttClient d = RawMqttClient.connect("127.0.0.1", port, MqttVersion.V3_1_1)) {
            d.send(new Connect(MqttVersion.V3_1_1, "pub-d", false, 600, null, null, null, MqttProperties.EMPTY));
            assertThat(d.receive(WAIT)).isInstanceOf(ConnAck.class);
            d.send(new Publish("d/t", 2, false, false, 7, bytes("once"), MqttProperties.EMPTY));
            assertThat(d.receive(WAIT)).isEqualTo(new PubRec(7));
        }
        // (e) two MQTT 5 sessions, disconnected: one expires 2 s after, one in an hour
        disconnectedV5(uri, "exp-short", 2);
        shortSessionDisconnectedAt = System.currentTimeMillis();
        disconnectedV5(uri, "exp-long", 3600);
        // (f) watchers of wills, offline; clients with wills, connected when the broker dies
        try (MqttClient watcher = v3(uri, "watch-f")) {
            watcher.connect(options(false));
            watcher.subscribe("f/#", 1);
            watcher.disconnect();
        }
        MqttConnectOptions withWill = options(false);
        withWill.setWill("f/will-v3", bytes("gone v3"), 1, false);
        v3(uri, "will-v3").connect(withWill);
        org.eclipse.paho.mqttv5.client.MqttClient v5 = new org.eclipse.paho.mqttv5.client.MqttClient(uri, "will-v5",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions o5 = new MqttConnectionOptions();
        o5.setCleanStart(false);
        o5.setSessionExpiryInterval(3600L);
        o5.setWill("f/will-v5", new org.eclipse.paho.mqttv5.common.MqttMessage(bytes("gone v5"), 1, false, null));
        org.eclipse.paho.mqttv5.common.packet.MqttProperties willProps =
                new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        willProps.setWillDelayInterval(1L);
        o5.setWillMessageProperties(willProps);
        v5.connect(o5);

        // (c) continued: the messages reach the consumer, which holds on to them
        try (MqttClient pub = v3(uri, "pub-c")) {
            pub.connect(options(true));
            for (int i = 1; i <= 3; i++) {
                pub.publish("c/t", bytes("held " + i), 1, false);
            }
            pub.disconnect();
        }
        for (int i = 1; i <= 3; i++) {
            Publish p = (Publish) c.receive(WAIT);
            assertThat(p.dup()).isFalse();
            inflightPacketIds.add(p.packetId());
        }
    }

    /** (b): N messages acknowledged, then more, acknowledged one by one, until SIGKILL stops the broker. */
    private void publishUntilKilled(BrokerProcess target) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        MqttClient pub = v3(target.uri(), "pub-b");
        pub.connect(options(true));
        for (int i = 0; i < ACKED_BEFORE_LOAD; i++) {
            pub.publish("b/t", bytes(Integer.toString(i)), 1, false);
            ackedUnderLoad.add(i);
        }
        Thread publisher = Thread.ofPlatform().name("publisher-b").start(() -> {
            for (int i = ACKED_BEFORE_LOAD; !stop.get(); i++) {
                try {
                    pub.publish("b/t", bytes(Integer.toString(i)), 1, false);
                } catch (MqttException e) {
                    if (!stop.get()) {
                        System.err.println("publisher-b stopped at " + i + ": " + e);
                    }
                    return; // the broker is gone
                }
                synchronized (ackedUnderLoad) {
                    ackedUnderLoad.add(i);
                }
            }
        });
        long started = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acked() >= ACKED_BEFORE_LOAD + 200);
        System.out.printf("200 QoS 1 publishes to a persistent session acknowledged one at a time in %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
        target.kill();
        stop.set(true);
        publisher.join(WAIT.toMillis());
        pub.close(true);
    }

    private int acked() {
        synchronized (ackedUnderLoad) {
            return ackedUnderLoad.size();
        }
    }

    @Test
    void retainedMessagesAcknowledgedBeforeTheCrashAreThereAndClearedOnesStayCleared() throws Exception {
        Inbox inbox = new Inbox();
        try (MqttClient sub = inbox.attach(v3(broker.uri(), "new-a"))) {
            sub.connect(options(true));
            sub.subscribe("a/#", 1);
            Inbox.Received r = inbox.next();
            assertThat(r.topic()).isEqualTo("a/kept");
            assertThat(r.payload()).isEqualTo("kept");
            assertThat(r.retained()).isTrue();
            sub.publish("a/marker", bytes("marker"), 1, false);
            assertThat(inbox.next().payload()).as("nothing retained on a/cleared").isEqualTo("marker");
            sub.disconnect();
        }
    }

    @Test
    void everyAcknowledgedMessageForAnOfflineSessionArrivesInOrderAfterTheCrash() throws Exception {
        List<Integer> acked;
        synchronized (ackedUnderLoad) {
            acked = List.copyOf(ackedUnderLoad);
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKED_BEFORE_LOAD + 200);
        Inbox inbox = new Inbox();
        try (MqttClient sub = inbox.attach(v3(broker.uri(), "sub-b"))) {
            assertThat(sub.connectWithResult(options(false)).getSessionPresent()).isTrue();
            List<Integer> received = new ArrayList<>();
            int last = acked.getLast();
            while (received.isEmpty() || received.getLast() < last) {
                Inbox.Received r = inbox.next();
                assertThat(r.qos()).isEqualTo(1);
                received.add(Integer.parseInt(r.payload()));
            }
            assertThat(received).as("in order, each once").isSorted().doesNotHaveDuplicates();
            assertThat(received).containsAll(acked);
            sub.disconnect();
        }
    }

    @Test
    void messagesInFlightToAConsumerAreResentWithDupAndTheirPacketIdentifiers() throws Exception {
        try (RawMqttClient c = RawMqttClient.connect("127.0.0.1", broker.port(), MqttVersion.V3_1_1)) {
            c.send(new Connect(MqttVersion.V3_1_1, "sub-c", false, 600, null, null, null, MqttProperties.EMPTY));
            ConnAck ack = (ConnAck) c.receive(WAIT);
            assertThat(ack.sessionPresent()).isTrue();
            List<Integer> ids = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Publish p = (Publish) c.receive(WAIT);
                assertThat(p.dup()).as("DUP on a re-send [MQTT-3.3.1-1]").isTrue();
                assertThat(new String(p.payload(), StandardCharsets.UTF_8)).isEqualTo("held " + i);
                ids.add(p.packetId());
            }
            assertThat(ids).isEqualTo(inflightPacketIds);
        }
    }

    @Test
    void aQos2MessageWhosePubrelCameAfterTheCrashIsDeliveredOnce() throws Exception {
        try (RawMqttClient d = RawMqttClient.connect("127.0.0.1", broker.port(), MqttVersion.V3_1_1)) {
            d.send(new Connect(MqttVersion.V3_1_1, "pub-d", false, 600, null, null, null, MqttProperties.EMPTY));
            assertThat(((ConnAck) d.receive(WAIT)).sessionPresent()).isTrue();
            d.send(new Publish("d/t", 2, false, true, 7, bytes("once"), MqttProperties.EMPTY));
            assertThat(d.receive(WAIT)).isEqualTo(new PubRec(7));
            d.send(new PubRel(7));
            assertThat(d.receive(WAIT)).isEqualTo(new PubComp(7, 0, MqttProperties.EMPTY));
            d.send(new Publish("d/t", 2, false, false, 8, bytes("marker"), MqttProperties.EMPTY));
            assertThat(d.receive(WAIT)).isEqualTo(new PubRec(8));
            d.send(new PubRel(8));
            assertThat(d.receive(WAIT)).isEqualTo(new PubComp(8, 0, MqttProperties.EMPTY));
        }
        Inbox inbox = new Inbox();
        try (MqttClient sub = inbox.attach(v3(broker.uri(), "sub-d"))) {
            assertThat(sub.connectWithResult(options(false)).getSessionPresent()).isTrue();
            assertThat(inbox.next().payload()).isEqualTo("once");
            assertThat(inbox.next().payload()).as("delivered once").isEqualTo("marker");
            sub.disconnect();
        }
    }

    @Test
    void aSessionWhoseExpiryPassedIsGoneAndOneWithTimeLeftIsPresent() throws Exception {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> System.currentTimeMillis() > shortSessionDisconnectedAt + 2_500);
        assertThat(reconnectV5("exp-short")).as("expired 2 s after its disconnect").isFalse();
        assertThat(reconnectV5("exp-long")).isTrue();
    }

    @Test
    void willsOfClientsConnectedAtTheCrashArePublishedAfterTheRestart() throws Exception {
        Inbox inbox = new Inbox();
        try (MqttClient watcher = inbox.attach(v3(broker.uri(), "watch-f"))) {
            assertThat(watcher.connectWithResult(options(false)).getSessionPresent()).isTrue();
            List<String> wills = new ArrayList<>(List.of(inbox.next().payload(), inbox.next().payload()));
            assertThat(wills).containsExactlyInAnyOrder("gone v3", "gone v5");
            watcher.disconnect();
        }
    }

    // ---------------------------------------------------------------------------------------

    private static void disconnectedV5(String uri, String clientId, long expirySeconds) throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(uri, clientId,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(expirySeconds);
        c.connect(o);
        c.subscribe("e/" + clientId, 1);
        c.disconnect();
        c.close();
    }

    private boolean reconnectV5(String clientId) throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(broker.uri(),
                clientId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        try {
            return c.connectWithResult(o).getSessionPresent();
        } finally {
            c.disconnect();
            c.close();
        }
    }

    private static MqttClient v3(String uri, String clientId) throws MqttException {
        MqttClient c = new MqttClient(uri, clientId, new MemoryPersistence());
        c.setTimeToWait(WAIT.toMillis());
        return c;
    }

    private static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions o = new MqttConnectOptions();
        // Paho v3 can return from a synchronous publish before it counts the message out of flight
        // (eclipse-paho/paho.mqtt.java#551); with its default window of 10, a busy machine turns a
        // loop of acknowledged publishes into "Too many publishes in progress".
        o.setMaxInflight(1000);
        o.setCleanSession(cleanSession);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(600);
        return o;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What a Paho v3 client receives, in order. */
    private static final class Inbox {
        record Received(String topic, String payload, int qos, boolean retained) {
        }

        private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();

        MqttClient attach(MqttClient client) {
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    queue.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                            m.isRetained()));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            return client;
        }

        Received next() throws InterruptedException, IOException {
            Received r = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new IOException("nothing received within " + WAIT);
            }
            return r;
        }
    }
}
