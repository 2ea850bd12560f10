package io.ratatoskr.core.broker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Whether the heap is above the memory high watermark ({@code limits.memory-high-watermark}), so that
 * new publishes can be refused with a clear reason before the JVM runs out of heap.
 *
 * <p>What is measured is the heap in use after the last garbage collection (the sum of the heap
 * pools' collection usage), over the maximum heap: garbage not yet collected does not count, so a
 * busy young generation does not trip it. Before the first collection it falls back to the heap in
 * use now. The state turns on at the watermark and off only below 90% of it (hysteresis), and is
 * sampled at most every {@value #SAMPLE_MILLIS} ms — a publish costs a clock read, not a JMX call.
 *
 * <p>Thread-safety: thread-safe; samples race benignly (volatile fields, any sampler's answer is valid).
 */
public final class MemoryWatermark {
    static final long SAMPLE_MILLIS = 100;

    private final double watermark;
    private final Clock clock;
    private final List<MemoryPoolMXBean> heapPools;
    private final long maxHeapBytes;
    private final DoubleSupplier usedFraction;
    private volatile long sampledAtMillis = Long.MIN_VALUE;
    private volatile boolean high;

    /** @param watermark fraction of the maximum heap, in (0, 1); 0 turns the check off */
    public MemoryWatermark(double watermark, Clock clock, BrokerMetrics metrics) {
        this(watermark, clock, metrics, null);
    }

    /** @param usedFraction the heap's use, in place of the JVM's (tests); null: the JVM's */
    MemoryWatermark(double watermark, Clock clock, BrokerMetrics metrics, DoubleSupplier usedFraction) {
        this.usedFraction = usedFraction != null ? usedFraction : this::heapUsedFraction;
        this.watermark = watermark;
        this.clock = clock;
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
                .toList();
        this.maxHeapBytes = Runtime.getRuntime().maxMemory();
        metrics.gauge("ratatoskr.broker.memory.high.watermark",
                "1 while the heap is above limits.memory-high-watermark and client publishes are refused",
                () -> high ? 1 : 0);
    }

    /** The configured fraction of the heap (0: off). */
    public double watermark() {
        return watermark;
    }

    /** Whether publishes must be refused now. */
    public boolean isHigh() {
        if (watermark <= 0) {
            return false;
        }
        long now = clock.millis();
        if (now - sampledAtMillis >= SAMPLE_MILLIS || sampledAtMillis == Long.MIN_VALUE) {
            sampledAtMillis = now;
            double used = usedFraction.getAsDouble();
            high = high ? used >= watermark * 0.9 : used >= watermark;
        }
        return high;
    }

    private double heapUsedFraction() {
        long afterGc = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage u = pool.getCollectionUsage();
            if (u != null) {
                afterGc += u.getUsed();
            }
        }
        Runtime rt = Runtime.getRuntime();
        long used = afterGc > 0 ? afterGc : rt.totalMemory() - rt.freeMemory();
        return (double) used / maxHeapBytes;
    }
}
