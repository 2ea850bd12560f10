package io.ratatoskr.mqtt.spec.v5;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connected Eclipse Paho v5 client and what it receives: messages and the broker's DISCONNECT, in
 * queues a test reads with a deadline. Closing it drops the connection without DISCONNECT if it is
 * still up.
 */
public final class PahoClient implements MqttCallback, AutoCloseable {
    /** A message as Paho hands it over. */
    public record Received(String topic, MqttMessage message) {
        public String payload() {
            return V5SpecTest.utf8(message.getPayload());
        }

        public MqttProperties properties() {
            return message.getProperties();
        }

        /** The value of the first user property called {@code name}, or null. */
        public String userProperty(String name) {
            for (org.eclipse.paho.mqttv5.common.packet.UserProperty p : message.getProperties().getUserProperties()) {
                if (p.getKey().equals(name)) {
                    return p.getValue();
                }
            }
            return null;
        }
    }

    public final MqttClient client;
    /** The result of the CONNECT: session present, CONNACK properties. */
    IMqttToken token;
    private final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<MqttDisconnectResponse> disconnects = new LinkedBlockingQueue<>();

    public PahoClient(MqttClient client) {
        this.client = client;
        client.setCallback(this);
    }

    public Received next() throws InterruptedException {
        Received r = messages.poll(V5SpecTest.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as("a message within " + V5SpecTest.TIMEOUT).isNotNull();
        return r;
    }

    void expectSilence() throws InterruptedException {
        assertThat(messages.poll(V5SpecTest.QUIET.toMillis(), TimeUnit.MILLISECONDS)).as("no message").isNull();
    }

    /** The DISCONNECT the broker sent, or the loss of the connection. */
    MqttDisconnectResponse nextDisconnect() throws InterruptedException {
        MqttDisconnectResponse d = disconnects.poll(V5SpecTest.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(d).as("disconnected within " + V5SpecTest.TIMEOUT).isNotNull();
        return d;
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        disconnects.add(response);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        disconnects.add(new MqttDisconnectResponse(exception));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Received(topic, message));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnectForcibly(0, 1000, false);
        }
        client.close(true);
    }
}
