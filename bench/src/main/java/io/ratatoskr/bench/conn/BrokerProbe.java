package io.ratatoskr.bench.conn;

import io.ratatoskr.bench.mqtt.ProcessCpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the memory and CPU of a broker process on this machine: its heap in use right after a full
 * collection ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}), its resident set ({@code VmRSS} of
 * {@code /proc/<pid>/status}), its CPU time ({@code /proc/<pid>/stat}) and, on request, a class histogram
 * ({@code GC.class_histogram}). The heap figures need a JVM (and a {@code jcmd} of this JDK, which must run as
 * the broker's user); the others work for any process, such as Mosquitto.
 *
 * <p>Stateless apart from its settings; thread-safe.
 */
final class BrokerProbe {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final int CLOCK_TICKS = 100;

    private final long pid;
    private final boolean jvm;
    private final Path jcmd;

    /** @param jvm whether the process is a JVM (heap figures and histograms are read only then) */
    BrokerProbe(long pid, boolean jvm) {
        this.pid = pid;
        this.jvm = jvm;
        this.jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    }

    long pid() {
        return pid;
    }

    boolean isJvm() {
        return jvm;
    }

    /** Bytes of heap in use after a full collection (two, so that finalizable and soft leftovers go), or -1. */
    long heapUsedAfterGc() throws IOException, InterruptedException {
        if (!jvm) {
            return -1;
        }
        jcmd("GC.run");
        jcmd("GC.run");
        return parseHeapUsed(jcmd("GC.heap_info"));
    }

    /** The class histogram after a full collection (jcmd's text), or null for a process that is no JVM. */
    String classHistogram() throws IOException, InterruptedException {
        return jvm ? jcmd("GC.class_histogram") : null;
    }

    /** Resident set size in bytes, or -1 when /proc does not say. */
    long rssBytes() {
        try {
            return parseRss(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return -1;
        }
    }

    /** CPU time (user + system) of the process so far, in nanoseconds, or -1. */
    long cpuNanos() {
        return ProcessCpu.otherNanos(pid, CLOCK_TICKS);
    }

    /** The first "used NK" of {@code GC.heap_info} (the whole heap, for every collector), in bytes, or -1. */
    static long parseHeapUsed(String heapInfo) {
        Matcher m = HEAP_USED.matcher(heapInfo);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    static long parseRss(String status) {
        Matcher m = VM_RSS.matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    /**
     * Runs one jcmd command. Its output goes to a file, not a pipe: a class histogram is written while the
     * target JVM is stopped at a safepoint, and when the target is this JVM (a test), a reader thread could not
     * drain a full pipe until the safepoint ends, which it never would.
     */
    private String jcmd(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid), command));
        Path output = Files.createTempFile("ratatoskr-jcmd", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
