package io.ratatoskr.mqtt.spec;

import io.ratatoskr.mqtt.testing.TestBroker;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Eclipse Paho MQTT 3.1.1 client (in-memory persistence, no automatic reconnect) with an inbox of
 * the messages it receives, for integration tests against a {@link TestBroker}.
 *
 * <p>Messages arrive on Paho's callback thread and are queued; a test reads them with {@link #next}.
 * Absence is checked without sleeping by {@link #assertNothingBefore}: a marker published after the
 * messages that must not arrive has to be the next thing received.
 *
 * <p>Not thread-safe, except that the inbox may be filled by Paho's thread while the test reads it.
 */
public final class PahoV3Client implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** One message as the subscriber received it. */
    public record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {
    }

    private final MqttClient client;
    private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final CountDownLatch lost = new CountDownLatch(1);
    private int markers;

    private PahoV3Client(MqttClient client) {
        this.client = client;
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                inbox.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                        m.isRetained(), m.isDuplicate()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // publish() blocks until then
            }
        });
    }

    /** A client not yet connected. */
    public static PahoV3Client create(TestBroker broker, String clientId) throws MqttException {
        MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        client.setTimeToWait(TIMEOUT.toMillis());
        return new PahoV3Client(client);
    }

    /** A client connected with a clean session and the given id. */
    public static PahoV3Client connect(TestBroker broker, String clientId) throws MqttException {
        PahoV3Client c = create(broker, clientId);
        c.connect(o -> { });
        return c;
    }

    /** MQTT 3.1.1 options with a clean session, 30 s keep-alive, 5 s connect timeout. */
    public static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout((int) TIMEOUT.toSeconds());
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000);
        return o;
    }

    /** Connects with {@link #options()} changed by {@code change}; returns the CONNACK's Session Present. */
    public boolean connect(Consumer<MqttConnectOptions> change) throws MqttException {
        MqttConnectOptions o = options();
        change.accept(o);
        IMqttToken token = client.connectWithResult(o);
        return token.getSessionPresent();
    }

    public MqttClient paho() {
        return client;
    }

    /** Subscribes and returns the granted QoS (0x80 for a refusal). */
    public int subscribe(String filter, int qos) throws MqttException {
        return client.subscribeWithResponse(filter, qos).getGrantedQos()[0];
    }

    public void unsubscribe(String filter) throws MqttException {
        client.unsubscribe(filter);
    }

    /** Publishes and, for QoS 1 and 2, waits for the flow to complete. */
    public void publish(String topic, String payload, int qos, boolean retain) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    public void publish(String topic, String payload, int qos) throws MqttException {
        publish(topic, payload, qos, false);
    }

    /** The next message received, waiting up to {@link #TIMEOUT}; fails if none comes. */
    public Received next() throws InterruptedException {
        Received r = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as("a message for %s within %s", client.getClientId(), TIMEOUT).isNotNull();
        return r;
    }

    /** The payloads of the next {@code n} messages, in order. */
    public List<String> nextPayloads(int n) throws InterruptedException {
        List<String> payloads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            payloads.add(next().payload());
        }
        return payloads;
    }

    /**
     * Asserts that nothing more arrives before a marker that {@code publisher} publishes now at QoS 1:
     * whatever {@code publisher} published earlier, or was acknowledged to anyone earlier, has been
     * routed before the marker, so it would come first.
     */
    public void assertNothingBefore(PahoV3Client publisher) throws MqttException, InterruptedException {
        String topic = "marker/" + client.getClientId();
        if (markers++ == 0) {
            subscribe(topic, 1);
        }
        String marker = "marker-" + markers;
        publisher.publish(topic, marker, 1);
        assertThat(next()).as("the next message is the marker").extracting(Received::payload).isEqualTo(marker);
    }

    /** Asserts that nothing more arrives before a marker this client publishes to itself. */
    public void assertNothingMore() throws MqttException, InterruptedException {
        assertNothingBefore(this);
    }

    /** Whether the broker closed the connection within {@link #TIMEOUT}. */
    public boolean awaitConnectionLost() throws InterruptedException {
        return lost.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /** Sends DISCONNECT and closes. */
    public void disconnect() throws MqttException {
        client.disconnect(1000);
    }

    /** Closes the socket without DISCONNECT, as a crashed client would. */
    public void drop() throws MqttException {
        client.disconnectForcibly(0, 1000, false);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(0);
        }
        client.close(true);
    }
}
