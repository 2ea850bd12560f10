package io.ratatoskr.server.cli;

import io.ratatoskr.mqtt.codec.ReasonCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One MQTT connection of the command line, over Eclipse Paho: the MQTT 5 client ({@link Mqtt5Link}) or
 * the 3.1.1 one ({@link Mqtt3Link}).
 *
 * <p>Thread-safety: thread-safe (Paho's asynchronous clients are); listeners are called on Paho's
 * callback thread.
 */
sealed interface MqttLink extends AutoCloseable permits Mqtt5Link, Mqtt3Link {

    /** How a connection is made. {@code sessionExpirySeconds} counts only when not {@code cleanStart}. */
    record Connect(String url, String clientId, String username, String password, boolean cleanStart,
            long sessionExpirySeconds) {}

    /**
     * What is told to the link's user: messages and a lost connection (with why). A message is
     * acknowledged (PUBACK/PUBREC) only when {@link #message} answers true: one the user does not take
     * (e.g. beyond {@code --count}) stays unacknowledged, so a consumer group gives it to another member.
     */
    interface Listener {
        /** A message arrived: answers whether the user takes (and has handled) it. */
        boolean message(Delivery delivery);

        /** A message the user took is acknowledged to the broker (QoS 1/2: the PUBACK/PUBREC is queued). */
        default void acknowledged(Delivery delivery) {
        }

        void lost(String why);
    }

    /**
     * The broker's answer to a publish: its reason code (0 for a QoS 0 publish and for every 3.1.1
     * acknowledgement), and the MQTT 5 reason string or the client's error.
     */
    record Outcome(int reasonCode, String reason) {
        static final Outcome OK = new Outcome(0, null);

        boolean ok() {
            return reasonCode < 0x80;
        }

        /** "reason code 0x87 (not authorized): ..." */
        String describe() {
            return String.format("reason code 0x%02X (%s)", reasonCode, ReasonCode.name(reasonCode))
                    + (reason == null ? "" : ": " + reason);
        }
    }

    /** A failure to connect or subscribe; the message says why for people. */
    final class LinkException extends Exception {
        LinkException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Connects with MQTT 5 ({@code v5}) or 3.1.1; blocks until the CONNACK or a failure. */
    static MqttLink connect(boolean v5, Connect c, Listener listener) throws LinkException {
        return v5 ? Mqtt5Link.connect(c, listener) : Mqtt3Link.connect(c, listener);
    }

    /**
     * Publishes; the future completes with the broker's answer (PUBACK/PUBREC for QoS 1/2; at once for
     * QoS 0), never exceptionally: a client-side failure is an {@link Outcome} with code 0x80.
     * {@code properties} and {@code contentType} are MQTT 5 only.
     */
    CompletableFuture<Outcome> publish(String topic, byte[] payload, int qos, boolean retain,
            Map<String, String> properties, String contentType);

    /**
     * How many QoS 1/2 publishes may await their acknowledgement at once on this connection: the
     * broker's Receive Maximum (MQTT 5.0 §3.2.2.3.3, [MQTT-3.3.4-7]); unbounded for 3.1.1.
     */
    default int sendQuota() {
        return Integer.MAX_VALUE;
    }

    /** Subscribes to every filter at {@code qos}; fails when the broker refuses one (naming it and why). */
    void subscribe(List<String> filters, int qos) throws LinkException;

    /** Disconnects (normal disconnection) and releases the client. */
    @Override
    void close();

    /** A client-side failure (no answer from the broker) as an {@link Outcome} of 0x80. */
    static Outcome unspecified(Throwable t) {
        return new Outcome(ReasonCode.UNSPECIFIED_ERROR, String.valueOf(t.getMessage()));
    }
}
