package io.ratatoskr.server.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * An MQTT 5 connection over Paho's {@code mqttv5} asynchronous client. Refusals come back as reason
 * codes of 0x80 or more in the PUBACK/PUBREC (MQTT 5.0 §3.4.2.1) or SUBACK (§3.9.3), with the broker's
 * Reason String when it sent one.
 *
 * <p>Thread-safety: thread-safe (Paho's client is); the listener is called on Paho's callback thread.
 */
final class Mqtt5Link implements MqttLink {
    private static final long WAIT_MS = 15_000;

    private final MqttAsyncClient client;
    /** The broker's Receive Maximum from CONNACK (65,535 when it sent none, MQTT 5.0 §3.2.2.3.3). */
    private final int receiveMaximum;

    private Mqtt5Link(MqttAsyncClient client, int receiveMaximum) {
        this.client = client;
        this.receiveMaximum = receiveMaximum;
    }

    static Mqtt5Link connect(Connect c, Listener listener) throws LinkException {
        MqttAsyncClient client;
        try {
            client = new MqttAsyncClient(c.url(), c.clientId(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new LinkException("bad MQTT URL '" + c.url() + "': " + e.getMessage(), e);
        }
        client.setCallback(new Callback(client, listener));
        client.setManualAcks(true);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(c.cleanStart());
        o.setSessionExpiryInterval(c.cleanStart() ? 0L : c.sessionExpirySeconds());
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        if (c.username() != null) {
            o.setUserName(c.username());
        }
        if (c.password() != null) {
            o.setPassword(c.password().getBytes(StandardCharsets.UTF_8));
        }
        IMqttToken connected;
        try {
            connected = client.connect(o);
            connected.waitForCompletion(WAIT_MS);
        } catch (MqttException e) {
            closeQuietly(client);
            throw new LinkException("cannot connect to " + c.url() + ": " + describe(e), e);
        }
        MqttProperties connAck = connected.getResponseProperties();
        Integer receiveMaximum = connAck == null ? null : connAck.getReceiveMaximum();
        return new Mqtt5Link(client, receiveMaximum == null || receiveMaximum < 1 ? 65_535 : receiveMaximum);
    }

    @Override
    public int sendQuota() {
        return receiveMaximum;
    }

    @Override
    public CompletableFuture<Outcome> publish(String topic, byte[] payload, int qos, boolean retain,
            Map<String, String> properties, String contentType) {
        MqttProperties props = new MqttProperties();
        List<UserProperty> user = new ArrayList<>();
        properties.forEach((k, v) -> user.add(new UserProperty(k, v)));
        props.setUserProperties(user);
        if (contentType != null) {
            props.setContentType(contentType);
        }
        MqttMessage message = new MqttMessage(payload, qos, retain, props);
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        MqttActionListener answered = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                outcome.complete(outcome(token, null));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable failure) {
                outcome.complete(outcome(token, failure));
            }
        };
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (true) {
            try {
                client.publish(topic, message, null, answered);
                break;
            } catch (MqttException e) {
                // Paho counts an acknowledged publish out of its in-flight window only after telling us
                // (and our caller's window) that it completed: a full Receive Maximum frees up at once.
                if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    continue;
                }
                outcome.complete(MqttLink.unspecified(e));
                break;
            } catch (RuntimeException e) {
                outcome.complete(MqttLink.unspecified(e));
                break;
            }
        }
        return outcome;
    }

    /** The PUBACK/PUBREC's reason code and string, or the client's failure. */
    private static Outcome outcome(IMqttToken token, Throwable failure) {
        int[] codes = token == null ? null : token.getReasonCodes();
        MqttProperties response = token == null ? null : token.getResponseProperties();
        String reason = response == null ? null : response.getReasonString();
        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
            return new Outcome(codes[0], reason);
        }
        if (failure instanceof MqttException e && e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xFF) {
            return new Outcome(e.getReasonCode(), reason != null ? reason : e.getMessage());
        }
        if (failure != null) {
            return MqttLink.unspecified(failure);
        }
        return new Outcome(codes != null && codes.length > 0 ? codes[0] : 0, reason);
    }

    @Override
    public void subscribe(List<String> filters, int qos) throws LinkException {
        MqttSubscription[] subs = filters.stream().map(f -> new MqttSubscription(f, qos))
                .toArray(MqttSubscription[]::new);
        try {
            IMqttToken token = client.subscribe(subs);
            token.waitForCompletion(WAIT_MS);
            int[] codes = token.getReasonCodes();
            for (int i = 0; codes != null && i < codes.length && i < filters.size(); i++) {
                if (codes[i] >= 0x80) {
                    MqttProperties response = token.getResponseProperties();
                    String reason = response == null ? null : response.getReasonString();
                    throw new LinkException("the broker refused the subscription to '" + filters.get(i) + "': "
                            + new Outcome(codes[i], reason).describe(), null);
                }
            }
        } catch (MqttException e) {
            throw new LinkException("cannot subscribe to " + filters + ": " + describe(e), e);
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

    private static String describe(MqttException e) {
        int code = e.getReasonCode();
        return code >= 0x80 && code <= 0xFF ? new Outcome(code, null).describe() : String.valueOf(e.getMessage());
    }

    /** Paho's callbacks, turned into deliveries and a lost connection. */
    private record Callback(MqttAsyncClient client, Listener listener) implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            listener.lost(response.getReturnCode() == 0 && response.getException() != null
                    ? String.valueOf(response.getException().getMessage())
                    : "disconnected by the broker: " + new Outcome(response.getReturnCode(),
                            response.getReasonString()).describe());
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            listener.lost(describe(exception));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws MqttException {
            MqttProperties props = message.getProperties();
            Map<String, String> user = new LinkedHashMap<>();
            String contentType = null;
            if (props != null) {
                for (UserProperty p : props.getUserProperties()) {
                    user.put(p.getKey(), p.getValue());
                }
                contentType = props.getContentType();
            }
            Delivery d = new Delivery(topic, message.getPayload(), message.getQos(), message.isRetained(), user, null,
                    contentType, null, null, null, null, null);
            if (listener.message(d)) {
                if (message.getQos() > 0) {
                    client.messageArrivedComplete(message.getId(), message.getQos());
                }
                listener.acknowledged(d);
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
