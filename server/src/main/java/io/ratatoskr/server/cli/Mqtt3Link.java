package io.ratatoskr.server.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An MQTT 3.1.1 connection over Paho's {@code mqttv3} asynchronous client. 3.1.1 has no reason codes in
 * PUBACK: a publish fails only when the connection does; a refused subscription is SUBACK 0x80
 * (MQTT 3.1.1 §3.9.3).
 *
 * <p>Thread-safety: thread-safe (Paho's client is); the listener is called on Paho's callback thread.
 */
final class Mqtt3Link implements MqttLink {
    private static final long WAIT_MS = 15_000;
    /**
     * Paho's own bound on unacknowledged publishes. The commands keep at most 1,024 in flight; Paho
     * counts an acknowledged publish out only after telling us it completed, hence the headroom.
     */
    private static final int MAX_INFLIGHT = 2048;

    private final MqttAsyncClient client;

    private Mqtt3Link(MqttAsyncClient client) {
        this.client = client;
    }

    static Mqtt3Link connect(Connect c, Listener listener) throws LinkException {
        MqttAsyncClient client;
        try {
            client = new MqttAsyncClient(c.url(), c.clientId(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new LinkException("bad MQTT URL '" + c.url() + "': " + e.getMessage(), e);
        }
        MqttAsyncClient acker = client;
        client.setManualAcks(true);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                listener.lost("connection lost: " + cause.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) throws MqttException {
                Delivery d = new Delivery(topic, m.getPayload(), m.getQos(), m.isRetained(), Map.of(), null, null,
                        null, null, null, null, null);
                if (listener.message(d)) {
                    if (m.getQos() > 0) {
                        acker.messageArrivedComplete(m.getId(), m.getQos());
                    }
                    listener.acknowledged(d);
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(c.cleanStart());
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        o.setMaxInflight(MAX_INFLIGHT);
        if (c.username() != null) {
            o.setUserName(c.username());
        }
        if (c.password() != null) {
            o.setPassword(c.password().toCharArray());
        }
        try {
            client.connect(o).waitForCompletion(WAIT_MS);
        } catch (MqttException e) {
            closeQuietly(client);
            throw new LinkException("cannot connect to " + c.url() + ": " + e.getMessage(), e);
        }
        return new Mqtt3Link(client);
    }

    @Override
    public CompletableFuture<Outcome> publish(String topic, byte[] payload, int qos, boolean retain,
            Map<String, String> properties, String contentType) {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(qos);
        message.setRetained(retain);
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        try {
            client.publish(topic, message, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    outcome.complete(Outcome.OK);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    outcome.complete(MqttLink.unspecified(failure));
                }
            });
        } catch (MqttException | RuntimeException e) {
            outcome.complete(MqttLink.unspecified(e));
        }
        return outcome;
    }

    @Override
    public void subscribe(List<String> filters, int qos) throws LinkException {
        int[] qoss = new int[filters.size()];
        java.util.Arrays.fill(qoss, qos);
        try {
            IMqttToken token = client.subscribe(filters.toArray(String[]::new), qoss);
            token.waitForCompletion(WAIT_MS);
            int[] granted = token.getGrantedQos();
            for (int i = 0; granted != null && i < granted.length && i < filters.size(); i++) {
                if (granted[i] >= 0x80) {
                    throw new LinkException("the broker refused the subscription to '" + filters.get(i)
                            + "' (SUBACK 0x80)", null);
                }
            }
        } catch (MqttException e) {
            throw new LinkException("cannot subscribe to " + filters + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(client);
    }

    private static void closeQuietly(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
        } catch (MqttException e) {
            // Closing anyway: the connection is gone or going.
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // Nothing left to release.
        }
    }
}
