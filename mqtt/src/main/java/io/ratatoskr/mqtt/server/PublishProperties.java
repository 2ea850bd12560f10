package io.ratatoskr.mqtt.server;

import io.netty.util.concurrent.FastThreadLocal;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.mqtt.codec.MqttProperties;

import java.util.ArrayList;
import java.util.List;

/**
 * How the MQTT 5 PUBLISH properties that travel with a message (§3.3.2.3: payload format, expiry,
 * content type, response topic, correlation data, user properties) map to the core's
 * {@link MessageProperties} and back.
 *
 * <p>Thread-safety: stateless but for a one-entry cache per thread ({@link #forMessage}), confined to it.
 */
final class PublishProperties {
    /**
     * The last message properties mapped on this thread: a message fanned out to the subscribers on one
     * event loop is mapped, and its properties encoded, once ({@link MqttProperties#withDeliveryValues}).
     */
    private static final FastThreadLocal<LastMapped> LAST = new FastThreadLocal<>() {
        @Override
        protected LastMapped initialValue() {
            return new LastMapped();
        }
    };

    private static final class LastMapped {
        MessageProperties core;
        MqttProperties mqtt;
    }

    private PublishProperties() {
    }

    /** The message properties a received PUBLISH (or will) carries. */
    static MessageProperties toCore(MqttProperties p) {
        if (p.isEmpty()) {
            return MessageProperties.EMPTY;
        }
        List<Header> headers = List.of();
        int n = p.userPropertyCount();
        if (n > 0) {
            headers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                headers.add(new Header(p.userPropertyName(i), p.userPropertyValue(i)));
            }
        }
        return new MessageProperties(p.payloadFormatIndicator(), p.messageExpiryInterval(), p.contentType(),
                p.responseTopic(), p.correlationData(), headers);
    }

    /**
     * The MQTT properties of a message as they travel to every subscriber: payload format, content type,
     * response topic, correlation data, user properties. The caller adds the per-delivery values (remaining
     * expiry, subscription identifiers, topic alias) with {@link MqttProperties#withDeliveryValues}, which
     * shares this object's encoding. The same {@code mp} object in a row on one thread maps to the same result.
     */
    static MqttProperties forMessage(MessageProperties mp) {
        LastMapped last = LAST.get();
        if (last.core == mp) {
            return last.mqtt;
        }
        MqttProperties.Builder b = MqttProperties.builder();
        if (mp.payloadFormat() >= 0) {
            b.payloadFormatIndicator(mp.payloadFormat());
        }
        b.contentType(mp.contentType()).responseTopic(mp.responseTopic()).correlationData(mp.correlationData());
        for (Header h : mp.userProperties()) {
            b.addUserProperty(h.name(), h.value());
        }
        MqttProperties mqtt = b.build();
        last.core = mp;
        last.mqtt = mqtt;
        return mqtt;
    }
}
