package io.ratatoskr.mqtt.spec.v5;

import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.UnsubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Unsubscribe;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker remembers where each topic's messages go (per event loop, until any subscription changes): a
 * subscription made or removed after a topic was routed takes effect with the very next message, and No
 * Local is still decided for each publisher.
 */
class RouteCacheTest extends V5SpecTest {

    private static String received(RawMqttClient c) throws Exception {
        Publish p = expect(c, Publish.class);
        return p.topic() + " " + utf8(p.payload());
    }

    @Test
    void subscriptionsMadeOrRemovedAfterATopicWasRoutedApplyToTheNextMessage() throws Exception {
        RawMqttClient publisher = raw("publisher");
        RawMqttClient a = raw("a");
        RawMqttClient b = raw("b");
        RawMqttClient shared = raw("shared");

        assertThat(rawPublishQos1(publisher, "rc/t", "nobody", MqttProperties.EMPTY).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        rawSubscribe(a, "rc/t", 0);
        rawPublishQos1(publisher, "rc/t", "one", MqttProperties.EMPTY);
        assertThat(received(a)).isEqualTo("rc/t one");

        rawSubscribe(b, "rc/#", 0);
        rawPublishQos1(publisher, "rc/t", "two", MqttProperties.EMPTY);
        assertThat(received(a)).isEqualTo("rc/t two");
        assertThat(received(b)).isEqualTo("rc/t two");

        a.send(new Unsubscribe(2, List.of("rc/t"), MqttProperties.EMPTY));
        expect(a, UnsubAck.class);
        rawSubscribe(shared, "$share/g/rc/t", 0);
        rawPublishQos1(publisher, "rc/t", "three", MqttProperties.EMPTY);
        assertThat(received(b)).isEqualTo("rc/t three");
        assertThat(received(shared)).isEqualTo("rc/t three");
        expectSilence(a);
    }

    @Test
    void noLocalIsDecidedForEachPublisherOfACachedTopic() throws Exception {
        RawMqttClient self = raw("self");
        RawMqttClient other = raw("other");
        RawMqttClient third = raw("third");
        rawSubscribe(self, 1, MqttProperties.EMPTY, new Subscription("nl/t", 0, true, false, 0));
        rawSubscribe(other, "nl/t", 0);

        for (int i = 0; i < 3; i++) {
            rawPublishQos1(self, "nl/t", "from self " + i, MqttProperties.EMPTY);
            rawPublishQos1(third, "nl/t", "from other " + i, MqttProperties.EMPTY);
            assertThat(received(other)).isEqualTo("nl/t from self " + i);
            assertThat(received(other)).isEqualTo("nl/t from other " + i);
            assertThat(received(self)).as("[MQTT-3.8.3-3] not its own").isEqualTo("nl/t from other " + i);
        }
        expectSilence(self);
    }
}
