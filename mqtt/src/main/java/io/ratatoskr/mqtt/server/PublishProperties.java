package io.ratatoskr.mqtt.server;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.UserProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * How the MQTT 5 PUBLISH properties that travel with a message (§3.3.2.3: payload format, expiry,
 * content type, response topic, correlation data, user properties) map to the core's
 * {@link MessageProperties} and back.
 *
 * <p>Thread-safety: stateless.
 */
final class PublishProperties {

    private PublishProperties() {
    }

    /** The message properties a received PUBLISH (or will) carries. */
    static MessageProperties toCore(MqttProperties p) {
        if (p.isEmpty()) {
            return MessageProperties.EMPTY;
        }
        List<Header> headers = List.of();
        if (!p.userProperties().isEmpty()) {
            headers = new ArrayList<>(p.userProperties().size());
            for (UserProperty u : p.userProperties()) {
                headers.add(new Header(u.name(), u.value()));
            }
        }
        return new MessageProperties(p.payloadFormatIndicator(), p.messageExpiryInterval(), p.contentType(),
                p.responseTopic(), p.correlationData(), headers);
    }

    /**
     * A builder holding the properties of an outgoing PUBLISH: the message's, the remaining expiry
     * ({@code -1}: none) and the matching subscription identifiers; the caller adds a topic alias.
     */
    static MqttProperties.Builder toMqtt(MessageProperties mp, long expirySeconds, int[] subscriptionIds) {
        MqttProperties.Builder b = MqttProperties.builder();
        if (mp.payloadFormat() >= 0) {
            b.payloadFormatIndicator(mp.payloadFormat());
        }
        if (expirySeconds >= 0) {
            b.messageExpiryInterval(expirySeconds);
        }
        b.contentType(mp.contentType()).responseTopic(mp.responseTopic()).correlationData(mp.correlationData());
        for (Header h : mp.userProperties()) {
            b.addUserProperty(h.name(), h.value());
        }
        for (int id : subscriptionIds) {
            b.addSubscriptionIdentifier(id);
        }
        return b;
    }
}
