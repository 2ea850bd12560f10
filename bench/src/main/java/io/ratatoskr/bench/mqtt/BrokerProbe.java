package io.ratatoskr.bench.mqtt;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a broker's memory and garbage-collection figures at the edges of a measurement window (Linux):
 * the resident set and its peak from {@code /proc/<pid>/status} ({@code VmRSS}, {@code VmHWM}), and, for a
 * JVM broker started with {@code -Xlog:gc*:file=<log>:uptime,level,tags:filecount=0}, the pauses and the heap
 * after GC logged while the window was open — the part of the log written between {@link #windowStart()} and
 * {@link #windowEnd()}, so no clock needs aligning.
 *
 * <p>Unified-logging pause lines look like {@code [3.210s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation
 * Pause) 61M->7M(256M) 1.915ms}; any line with {@code Pause} ending in a duration counts as one pause (G1,
 * Parallel, Serial, ZGC's and Shenandoah's pause phases).
 *
 * <p>Not thread-safe: one window at a time, from one thread.
 */
public final class BrokerProbe {
    private static final Pattern PAUSE = Pattern.compile("\\bPause\\b.*?"
            + "(?:(\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\) )?"
            + "(\\d+(?:\\.\\d+)?)ms\\s*$");

    private final long pid;
    private final Path gcLog;
    private long gcLogStart = -1;

    /**
     * @param pid   the broker's process id, 0 for none
     * @param gcLog the broker's GC log, or null
     */
    public BrokerProbe(long pid, Path gcLog) {
        this.pid = pid;
        this.gcLog = gcLog;
    }

    /** Marks the start of the window: the GC log's current length. */
    public void windowStart() {
        gcLogStart = gcLog == null ? -1 : size(gcLog);
    }

    /** The figures at the end of the window, or null when there is no broker to read. */
    public LoadResult.Resources windowEnd() {
        if (pid <= 0) {
            return null;
        }
        long[] mem = memory(readStatus(pid));
        GcWindow gc = gcLogStart < 0 ? null : parseGc(readFrom(gcLog, gcLogStart));
        return new LoadResult.Resources(mem[0] < 0 ? null : mem[0] / 1024.0, mem[1] < 0 ? null : mem[1] / 1024.0,
                gc == null ? null : gc.pauses(), gc == null ? null : gc.totalMs(), gc == null ? null : gc.maxMs(),
                gc == null || gc.heapAfterMiB() < 0 ? null : gc.heapAfterMiB());
    }

    /** GC pauses in a stretch of a GC log; {@code heapAfterMiB} of the last pause that gave one, else -1. */
    record GcWindow(int pauses, double totalMs, double maxMs, double heapAfterMiB) {
    }

    /** Adds up the pause lines of {@code log} (whole lines only; a partial last line is ignored). */
    static GcWindow parseGc(String log) {
        int pauses = 0;
        double total = 0;
        double max = 0;
        double heapAfter = -1;
        int end = log.lastIndexOf('\n');
        for (String line : log.substring(0, end + 1).split("\n")) {
            Matcher m = PAUSE.matcher(line);
            if (!m.find()) {
                continue;
            }
            double ms = Double.parseDouble(m.group(5));
            pauses++;
            total += ms;
            max = Math.max(max, ms);
            if (m.group(3) != null) {
                heapAfter = mebibytes(Long.parseLong(m.group(3)), m.group(4).charAt(0));
            }
        }
        return new GcWindow(pauses, total, max, heapAfter);
    }

    private static double mebibytes(long value, char unit) {
        return switch (unit) {
            case 'K' -> value / 1024.0;
            case 'G' -> value * 1024.0;
            default -> value;
        };
    }

    /** {@code VmRSS} and {@code VmHWM} in KiB from the text of {@code /proc/<pid>/status}; -1 when missing. */
    static long[] memory(String status) {
        long[] result = {-1, -1};
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                result[0] = kib(line);
            } else if (line.startsWith("VmHWM:")) {
                result[1] = kib(line);
            }
        }
        return result;
    }

    private static long kib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        try {
            return Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String readStatus(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        } catch (IOException e) {
            return "";
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readFrom(Path file, long offset) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length <= offset) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - offset)];
            f.seek(offset);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
