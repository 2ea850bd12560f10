package io.ratatoskr.mqtt.codec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MqttPropertiesTest {

    @Test
    void emptyBuiltPropertiesEqualEmpty() {
        MqttProperties built = MqttProperties.builder().build();
        assertThat(built).isEqualTo(MqttProperties.EMPTY);
        assertThat(MqttProperties.EMPTY).isEqualTo(built);
        assertThat(built.isEmpty()).isTrue();
        assertThat(MqttProperties.EMPTY.subscriptionIdentifiers()).isEmpty();
        assertThat(MqttProperties.EMPTY.hashCode()).isEqualTo(built.hashCode());
        assertThat(MqttProperties.EMPTY).hasToString("{}");
    }

    @Test
    void propertiesWithAValueAreNotEmpty() {
        assertThat(MqttProperties.builder().reasonString("r").build().isEmpty()).isFalse();
        assertThat(MqttProperties.builder().addSubscriptionIdentifier(1).build().isEmpty()).isFalse();
    }

    @Test
    void builderRefusesValuesOutsideTheirProtocolRange() {
        MqttProperties.Builder b = MqttProperties.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> b.payloadFormatIndicator(2));
        assertThatIllegalArgumentException().isThrownBy(() -> b.messageExpiryInterval(0x1_0000_0000L));
        assertThatIllegalArgumentException().isThrownBy(() -> b.receiveMaximum(0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.topicAlias(0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.topicAlias(65_536));
        assertThatIllegalArgumentException().isThrownBy(() -> b.maximumQos(2));
        assertThatIllegalArgumentException().isThrownBy(() -> b.maximumPacketSize(0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.serverKeepAlive(-2));
        assertThatIllegalArgumentException().isThrownBy(() -> b.addSubscriptionIdentifier(0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.addSubscriptionIdentifier(268_435_456));
    }

    @Test
    void minusOneClearsANumberProperty() {
        MqttProperties p = MqttProperties.builder().topicAlias(5).topicAlias(-1).build();
        assertThat(p).isEqualTo(MqttProperties.EMPTY);
    }
}
