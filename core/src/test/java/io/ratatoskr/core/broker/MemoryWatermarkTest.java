package io.ratatoskr.core.broker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.testkit.ManualClock;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryWatermarkTest {
    private final ManualClock clock = new ManualClock(1_000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<Double> used = new AtomicReference<>(0.1);
    private final MemoryWatermark watermark =
            new MemoryWatermark(0.5, clock, new BrokerMetrics(registry), used::get);

    private double gauge() {
        return registry.find("ratatoskr.broker.memory.high.watermark").gauge().value();
    }

    @Test
    void turnsOnAtTheWatermarkAndOffOnlyBelowNinetyPercentOfIt() {
        assertThat(watermark.isHigh()).isFalse();

        used.set(0.5);
        clock.advanceMs(MemoryWatermark.SAMPLE_MILLIS);
        assertThat(watermark.isHigh()).isTrue();
        assertThat(gauge()).isEqualTo(1);

        used.set(0.46); // below the watermark, above 90% of it: still refusing
        clock.advanceMs(MemoryWatermark.SAMPLE_MILLIS);
        assertThat(watermark.isHigh()).isTrue();

        used.set(0.44);
        clock.advanceMs(MemoryWatermark.SAMPLE_MILLIS);
        assertThat(watermark.isHigh()).isFalse();
        assertThat(gauge()).isZero();
    }

    @Test
    void samplesAtMostEveryHundredMilliseconds() {
        assertThat(watermark.isHigh()).isFalse();
        used.set(0.9);

        clock.advanceMs(MemoryWatermark.SAMPLE_MILLIS - 1);
        assertThat(watermark.isHigh()).as("not sampled again yet").isFalse();
        clock.advanceMs(1);
        assertThat(watermark.isHigh()).isTrue();
    }

    @Test
    void zeroTurnsTheCheckOff() {
        MemoryWatermark off = new MemoryWatermark(0, clock, new BrokerMetrics(new SimpleMeterRegistry()), () -> 1.0);
        assertThat(off.isHigh()).isFalse();
    }
}
