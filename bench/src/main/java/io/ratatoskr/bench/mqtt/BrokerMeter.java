package io.ratatoskr.bench.mqtt;

import java.nio.file.Path;

/**
 * What every load generator ({@code MqttLoad}, {@code KafkaLoad}, {@code GrpcLoad}) measures of the broker over its
 * measurement window: CPU time of the generator, the broker and the whole machine ({@link CpuSample}) at the
 * window's edges, and the broker's memory and GC figures ({@link BrokerProbe}: RSS, peak RSS, GC pauses and heap
 * after GC from its {@code -Xlog:gc*} file) over it.
 *
 * <p>A run calls {@link #sample()} at each edge: the first call opens the window (and marks where it starts in the
 * GC log), each later one closes it there, so {@link #resources()} covers the stretch from the first sample to the
 * latest.
 *
 * <p>Not thread-safe: one run, driven from one thread.
 */
public final class BrokerMeter {
    private final long brokerPid;
    private final int clockTicks;
    private final BrokerProbe probe;
    private boolean open;
    private LoadResult.Resources resources;

    /**
     * @param brokerPid  the broker's process id, 0 for none (then only the generator's CPU is measured)
     * @param clockTicks the kernel's clock ticks per second ({@code getconf CLK_TCK})
     * @param gcLog      the broker's GC log, or null (not a JVM, or not logging GC)
     */
    public BrokerMeter(long brokerPid, int clockTicks, Path gcLog) {
        this.brokerPid = brokerPid;
        this.clockTicks = clockTicks;
        this.probe = new BrokerProbe(brokerPid, gcLog);
    }

    /** CPU times now; the first call opens the window, later ones close it (reading the broker's memory and GC). */
    public CpuSample sample() {
        if (!open) {
            open = true;
            probe.windowStart();
            return CpuSample.now(brokerPid, clockTicks);
        }
        CpuSample now = CpuSample.now(brokerPid, clockTicks);
        resources = probe.windowEnd();
        return now;
    }

    /** The broker's memory and GC figures over the window, or null before it closed or without a broker. */
    public LoadResult.Resources resources() {
        return resources;
    }
}
