package io.ratatoskr.bench.mqtt;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time consumed by a process: this one (from the JVM), or another one on Linux (from
 * {@code /proc/<pid>/stat}, user plus system time, in clock ticks); and by the whole machine (from
 * {@code /proc/stat}), so that a run can tell how much CPU other processes took while it measured.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProcessCpu {
    private ProcessCpu() {
    }

    /** CPU time of this JVM so far, in nanoseconds, or -1 if the platform does not say. */
    public static long selfNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * CPU time of process {@code pid} so far, in nanoseconds, or -1 when it cannot be read.
     *
     * @param clockTicksPerSecond the kernel's USER_HZ ({@code getconf CLK_TCK}; 100 on Linux x86 and arm)
     */
    public static long otherNanos(long pid, int clockTicksPerSecond) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
        return parseStatNanos(stat, clockTicksPerSecond);
    }

    /**
     * utime + stime from a {@code /proc/<pid>/stat} line (fields 14 and 15, proc(5)), in nanoseconds. The
     * command name (field 2) is in parentheses and may itself hold spaces and parentheses: fields are counted
     * from the last ')'.
     */
    static long parseStatNanos(String stat, int clockTicksPerSecond) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] fields = stat.substring(close + 2).trim().split(" ");
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        if (fields.length < 13) {
            return -1;
        }
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1_000_000_000L / clockTicksPerSecond;
    }

    /**
     * CPU time all CPUs of the machine have spent busy so far (user, nice, system, irq, softirq and steal
     * time from the first line of {@code /proc/stat}; not idle or iowait), in nanoseconds, or -1 when it cannot
     * be read.
     */
    public static long machineBusyNanos(int clockTicksPerSecond) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/stat"));
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
        return parseMachineNanos(stat, clockTicksPerSecond);
    }

    /** The busy time of the aggregate {@code cpu} line of a {@code /proc/stat} text (proc(5)), in nanoseconds. */
    static long parseMachineNanos(String stat, int clockTicksPerSecond) {
        if (!stat.startsWith("cpu ")) {
            return -1;
        }
        int end = stat.indexOf('\n');
        String[] f = stat.substring(4, end < 0 ? stat.length() : end).trim().split(" +");
        if (f.length < 8) {
            return -1;
        }
        // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user.
        long ticks = Long.parseLong(f[0]) + Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[5])
                + Long.parseLong(f[6]) + Long.parseLong(f[7]);
        return ticks * 1_000_000_000L / clockTicksPerSecond;
    }
}
