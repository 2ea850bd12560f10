package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * What the MQTT 5 spec tests share: a real broker on a free port for each test, real clients — the raw
 * socket client where the wire itself is under test, Eclipse Paho v5 and the HiveMQ client otherwise —
 * all closed after the test, and receives that block with a deadline.
 */
abstract class V5SpecTest {
    /** How long a test waits for something that should happen. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** How long a test listens to be sure that something does not arrive. */
    static final Duration QUIET = Duration.ofMillis(300);

    TestBroker broker;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    @BeforeEach
    void startBroker() {
        broker = TestBroker.start();
    }

    @AfterEach
    void closeEverything() throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        broker.close();
        if (first != null) {
            throw first;
        }
    }

    /** Replaces this test's broker with one configured otherwise; call before connecting anything. */
    void restartBroker(UnaryOperator<BrokerConfig> brokerConfig, UnaryOperator<MqttConfig> mqttConfig) {
        broker.close();
        broker = TestBroker.start(brokerConfig, mqttConfig);
    }

    /** A change of the session limits, for {@link #restartBroker}. */
    static UnaryOperator<BrokerConfig> session(UnaryOperator<SessionConfig> change) {
        return b -> b.withSession(change.apply(b.session()));
    }

    static SessionConfig withMaxSessionExpiry(SessionConfig s, long seconds) {
        return new SessionConfig(s.maxQueuedMessages(), s.overflowPolicy(), s.maxInflight(), seconds,
                s.queueQos0WhenOffline());
    }

    /** The listener settings with other limits; -1 keeps a value. */
    static UnaryOperator<MqttConfig> limits(int maxPacketSize, int receiveMaximum, int topicAliasMaximum,
                                            int maxKeepAliveSeconds) {
        return m -> new MqttConfig(m.host(), m.port(), m.maxConnections(),
                maxPacketSize < 0 ? m.maxPacketSize() : maxPacketSize,
                receiveMaximum < 0 ? m.receiveMaximum() : receiveMaximum,
                topicAliasMaximum < 0 ? m.topicAliasMaximum() : topicAliasMaximum,
                maxKeepAliveSeconds < 0 ? m.maxKeepAliveSeconds() : maxKeepAliveSeconds,
                m.allowZeroKeepAlive(), m.connectTimeoutSeconds(), m.maxClientIdLength(), m.ioThreads(),
                m.writeBufferLowBytes(), m.writeBufferHighBytes());
    }

    <T extends AutoCloseable> T closeAfterTest(T resource) {
        resources.push(resource);
        return resource;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // -------------------------------------------------------------------------------------------
    // The raw client: exact packets both ways

    /** A TCP connection to the broker that has sent nothing yet. */
    RawMqttClient rawSocket() throws IOException {
        return closeAfterTest(RawMqttClient.connect("127.0.0.1", broker.port(), MqttVersion.V5));
    }

    /** Connects with Clean Start, keep-alive 60 s and {@code properties}; expects a successful CONNACK. */
    RawMqttClient raw(String clientId, MqttProperties properties) throws IOException {
        RawMqttClient c = rawSocket();
        ConnAck ack = rawConnect(c, connect(clientId, true, properties));
        assertThat(ack.reasonCode()).as("CONNACK reason code").isEqualTo(ReasonCode.SUCCESS);
        return c;
    }

    RawMqttClient raw(String clientId) throws IOException {
        return raw(clientId, MqttProperties.EMPTY);
    }

    /** A raw MQTT 3.1.1 client, connected with a clean session and subscribed to {@code filter} at {@code qos}. */
    RawMqttClient rawV3Subscribed(String clientId, String filter, int qos) throws IOException {
        RawMqttClient c = closeAfterTest(RawMqttClient.connect("127.0.0.1", broker.port(), MqttVersion.V3_1_1));
        c.send(new Connect(MqttVersion.V3_1_1, clientId, true, 60, null, null, null, MqttProperties.EMPTY));
        expect(c, ConnAck.class);
        c.send(new Subscribe(1, List.of(new Subscription(filter, qos)), MqttProperties.EMPTY));
        expect(c, SubAck.class);
        return c;
    }

    static Connect connect(String clientId, boolean cleanStart, MqttProperties properties) {
        return new Connect(MqttVersion.V5, clientId, cleanStart, 60, null, null, null, properties);
    }

    static ConnAck rawConnect(RawMqttClient c, Connect connect) throws IOException {
        c.send(connect);
        return expect(c, ConnAck.class);
    }

    /** The next packet, which must be a {@code type}. */
    static <T extends MqttPacket> T expect(RawMqttClient c, Class<T> type) throws IOException {
        MqttPacket p = c.receive(TIMEOUT);
        assertThat(p).as("next packet from the broker").isInstanceOf(type);
        return type.cast(p);
    }

    /** Expects a DISCONNECT with {@code reasonCode}, and that the broker then closes the connection. */
    static void expectDisconnect(RawMqttClient c, int reasonCode) throws IOException {
        Disconnect d = expect(c, Disconnect.class);
        assertThat(ReasonCode.name(d.reasonCode())).as("DISCONNECT reason").isEqualTo(ReasonCode.name(reasonCode));
        assertThat(c.awaitClosed(TIMEOUT)).as("connection closed").isTrue();
    }

    /** Asserts that nothing arrives for {@link #QUIET}. */
    static void expectSilence(RawMqttClient c) {
        assertThatThrownBy(() -> fail("unexpected " + c.receive(QUIET)))
                .isInstanceOf(SocketTimeoutException.class);
    }

    static SubAck rawSubscribe(RawMqttClient c, int packetId, MqttProperties properties, Subscription... subs)
            throws IOException {
        c.send(new Subscribe(packetId, List.of(subs), properties));
        SubAck ack = expect(c, SubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack;
    }

    static SubAck rawSubscribe(RawMqttClient c, String filter, int qos) throws IOException {
        return rawSubscribe(c, 1, MqttProperties.EMPTY, new Subscription(filter, qos));
    }

    /** Publishes at QoS 1 with packet identifier 1 and waits for the PUBACK. */
    static PubAck rawPublishQos1(RawMqttClient c, String topic, String payload, MqttProperties properties)
            throws IOException {
        c.send(new Publish(topic, 1, false, false, 1, utf8(payload), properties));
        return expect(c, PubAck.class);
    }

    // -------------------------------------------------------------------------------------------
    // Eclipse Paho v5

    /** A Paho client, connected with Clean Start and whatever {@code options} adds. */
    PahoClient paho(String clientId, Consumer<MqttConnectionOptions> options) throws Exception {
        MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        client.setTimeToWait(TIMEOUT.toMillis());
        PahoClient paho = closeAfterTest(new PahoClient(client));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        options.accept(o);
        paho.token = client.connectWithResult(o);
        return paho;
    }

    PahoClient paho(String clientId) throws Exception {
        return paho(clientId, o -> {
        });
    }

    // -------------------------------------------------------------------------------------------
    // HiveMQ

    /** A HiveMQ client, not yet connected; tests connect with {@code connect()} or {@code connectWith()}. */
    Mqtt5BlockingClient hivemq(String clientId) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        closeAfterTest(() -> {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        });
        return client;
    }

    /** A HiveMQ client connected with Clean Start, with a stream of every PUBLISH it receives. */
    HiveMqClient hivemqConnected(String clientId) {
        return hivemqConnected(clientId, c -> c);
    }

    /** A HiveMQ client connected with the CONNECT {@code connect} makes, with a stream of what it receives. */
    HiveMqClient hivemqConnected(String clientId, UnaryOperator<Mqtt5ConnectBuilder.Send<Mqtt5ConnAck>> connect) {
        Mqtt5BlockingClient client = hivemq(clientId);
        Mqtt5BlockingClient.Mqtt5Publishes publishes = closeAfterTest(client.publishes(MqttGlobalPublishFilter.ALL));
        Mqtt5ConnAck connAck = connect.apply(client.connectWith()).send();
        return new HiveMqClient(client, publishes, connAck);
    }

    /** A connected HiveMQ client, its CONNACK, and what it receives. */
    record HiveMqClient(Mqtt5BlockingClient client, Mqtt5BlockingClient.Mqtt5Publishes publishes, Mqtt5ConnAck connAck) {
        Mqtt5Publish next() throws InterruptedException {
            Optional<Mqtt5Publish> p = publishes.receive(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p).as("a PUBLISH within " + TIMEOUT).isPresent();
            return p.get();
        }

        String nextPayload() throws InterruptedException {
            return utf8(next().getPayloadAsBytes());
        }

        void expectSilence() throws InterruptedException {
            Optional<Mqtt5Publish> p = publishes.receive(QUIET.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p).as("no PUBLISH").isEmpty();
        }
    }
}
