package io.ratatoskr.server.testing;

import java.util.function.BiConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A Paho MQTT 5 callback that hands each arrived message (topic, message) to {@code onMessage} and
 * ignores every other event: what most tests' subscribers need.
 *
 * <p>Thread-safety: as thread-safe as {@code onMessage} (Paho calls it from its callback thread).
 */
public record PahoMessages(BiConsumer<String, MqttMessage> onMessage) implements MqttCallback {

    /** Adds {@code topic=payload} (payload as UTF-8) to {@code into} for each arrived message. */
    public static PahoMessages collecting(java.util.Collection<String> into) {
        return new PahoMessages((topic, m) -> into.add(topic + "=" + new String(m.getPayload(),
                java.nio.charset.StandardCharsets.UTF_8)));
    }
    @Override
    public void messageArrived(String topic, MqttMessage message) {
        onMessage.accept(topic, message);
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {}

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
}
