package io.ratatoskr.bench.mqtt;

/**
 * CPU time of the generator, the broker and the whole machine at one moment, in nanoseconds; taken at the
 * edges of a measurement window. The broker's is -1 when not measured, the machine's when it cannot be read.
 *
 * <p>Immutable.
 */
public record CpuSample(long generator, long broker, long machine) {

    /** A sample now; {@code brokerPid} 0 means no broker to measure. */
    public static CpuSample now(long brokerPid, int clockTicks) {
        return new CpuSample(ProcessCpu.selfNanos(),
                brokerPid > 0 ? ProcessCpu.otherNanos(brokerPid, clockTicks) : -1,
                ProcessCpu.machineBusyNanos(clockTicks));
    }

    public long generatorSince(CpuSample start) {
        return generator - start.generator;
    }

    /** The broker's CPU time since {@code start}, or -1. */
    public long brokerSince(CpuSample start) {
        return start.broker >= 0 && broker >= 0 ? broker - start.broker : -1;
    }

    /** The machine's busy time since {@code start}, or -1. */
    public long machineSince(CpuSample start) {
        return start.machine >= 0 && machine >= 0 ? machine - start.machine : -1;
    }
}
