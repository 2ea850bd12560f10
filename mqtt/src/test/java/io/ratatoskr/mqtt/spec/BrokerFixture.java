package io.ratatoskr.mqtt.spec;

import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * One test's broker and the clients it opened, closed together (clients first) by
 * {@code @AutoClose}. The broker starts on first use with the defaults of {@link TestBroker}, or
 * with other settings through {@link #start}.
 *
 * <p>Not thread-safe: used by the test's thread.
 */
public final class BrokerFixture implements AutoCloseable {
    private TestBroker broker;
    private final Deque<AutoCloseable> clients = new ArrayDeque<>();

    /** Starts the broker with changed settings; call before anything else. */
    public TestBroker start(UnaryOperator<BrokerConfig> brokerConfig, UnaryOperator<MqttConfig> mqttConfig) {
        if (broker != null) {
            throw new IllegalStateException("the broker is already running");
        }
        broker = TestBroker.start(brokerConfig, mqttConfig);
        return broker;
    }

    public TestBroker broker() {
        if (broker == null) {
            broker = TestBroker.start();
        }
        return broker;
    }

    /** A Paho 3.1.1 client, connected with a clean session. */
    public PahoV3Client paho(String clientId) throws Exception {
        return track(PahoV3Client.connect(broker(), clientId));
    }

    /** A Paho 3.1.1 client, not connected yet. */
    public PahoV3Client pahoUnconnected(String clientId) throws Exception {
        return track(PahoV3Client.create(broker(), clientId));
    }

    /** A raw TCP connection; nothing sent. */
    public RawMqttClient raw(MqttVersion version) throws Exception {
        return track(RawClients.open(broker(), version));
    }

    /** A raw connection that sent {@code connect} and got a successful CONNACK. */
    public RawMqttClient raw(Connect connect) throws Exception {
        return track(RawClients.connected(broker(), connect));
    }

    /** A raw connection of {@code clientId} with keep-alive 60 s, successfully connected. */
    public RawMqttClient raw(MqttVersion version, String clientId, boolean cleanStart) throws Exception {
        return raw(RawClients.connectPacket(version, clientId, cleanStart, 60));
    }

    /** The value of a counter of the broker's metrics. */
    public double counter(String name, String... tags) {
        return broker().counter(name, tags);
    }

    /** Waits until the broker holds no session of {@code clientId}: it ended, its will decided. */
    public void awaitSessionEnded(String clientId) {
        eventually().until(() -> broker().broker().session(clientId) == null);
    }

    /** Awaitility polling every 10 ms from the start, for at most 5 s. */
    public static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.push(client);
        return client;
    }

    /** Closes every client, then the broker; a client that fails to close fails the test afterwards. */
    @Override
    public void close() {
        IllegalStateException failure = null;
        while (!clients.isEmpty()) {
            try {
                clients.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing a test client failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (broker != null) {
            broker.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
