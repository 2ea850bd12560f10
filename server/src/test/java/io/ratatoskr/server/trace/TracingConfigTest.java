package io.ratatoskr.server.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.trace.Tracing;
import java.net.URI;
import org.junit.jupiter.api.Test;

class TracingConfigTest {

    @Test
    void tracingIsOffByDefaultAndOffMeansTheNoopHookThatTracesNothing() {
        assertThat(TracingConfig.DEFAULTS.enabled()).isFalse();
        Tracing tracing = OtelTracing.start(TracingConfig.DEFAULTS, new SimpleMeterRegistry());

        assertThat(tracing).isSameAs(Tracing.NOOP);
        assertThat(tracing.publish(new Message("t", new byte[0], 1, false, MessageProperties.EMPTY, "c", 0),
                "mqtt", "c")).isNull();
    }

    @Test
    void defaultsExportOtlpHttpToALocalCollector() {
        assertThat(TracingConfig.DEFAULTS.endpoint()).isEqualTo(URI.create("http://localhost:4318/v1/traces"));
        assertThat(TracingConfig.DEFAULTS.serviceName()).isEqualTo("ratatoskr");
        assertThat(TracingConfig.DEFAULTS.sampleRatio()).isEqualTo(0.1);
        assertThat(TracingConfig.DEFAULTS.inject()).isFalse();
    }

    @Test
    void invalidSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> TracingConfig.DEFAULTS.withSampleRatio(1.5))
                .hasMessageContaining("sample ratio must be in 0..1");
        assertThatThrownBy(() -> TracingConfig.DEFAULTS.withSampleRatio(Double.NaN))
                .hasMessageContaining("sample ratio");
        assertThatThrownBy(() -> TracingConfig.DEFAULTS.withEndpoint(URI.create("grpc://localhost:4317")))
                .hasMessageContaining("http or https");
        assertThatThrownBy(() -> new TracingConfig(true, 1, URI.create("http://x/v1/traces"), "ratatoskr", 1000,
                1000, 10, 20, false)).hasMessageContaining("batch size");
    }
}
