package io.ratatoskr.server.cli;

import java.util.Locale;

/**
 * Parses the durations and sizes the command line accepts: {@code 500ms}, {@code 30s}, {@code 15m},
 * {@code 12h}, {@code 7d}; {@code 512}, {@code 64KiB}, {@code 100MiB}, {@code 2GiB} (also k/m/g);
 * and {@code -1}, {@code none} or {@code unlimited} for "no limit" (-1).
 *
 * <p>Thread-safety: stateless.
 */
public final class Quantities {
    private Quantities() {}

    /** Milliseconds; a bare number is milliseconds. */
    public static long durationMs(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (isUnlimited(t)) {
            return -1;
        }
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}, {"d", "86400000"}};
        for (String[] u : units) {
            // "ms" is tried before "s" and "m", so "500ms" is not read as 500m + "s".
            if (t.endsWith(u[0])) {
                String number = t.substring(0, t.length() - u[0].length());
                if (!number.isEmpty() && number.chars().allMatch(Character::isDigit)) {
                    return Math.multiplyExact(Long.parseLong(number), Long.parseLong(u[1]));
                }
            }
        }
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(t);
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration: use e.g. 500ms, 30s, 15m, 12h, 7d, "
                + "or -1 for none");
    }

    /** Bytes; suffixes are binary (KiB = k = 1024). */
    public static long bytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (isUnlimited(t)) {
            return -1;
        }
        String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"k", "1024"},
            {"m", "1048576"}, {"g", "1073741824"}, {"b", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                String number = t.substring(0, t.length() - u[0].length());
                if (!number.isEmpty() && number.chars().allMatch(Character::isDigit)) {
                    return Math.multiplyExact(Long.parseLong(number), Long.parseLong(u[1]));
                }
            }
        }
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(t);
        }
        throw new IllegalArgumentException("'" + text + "' is not a size: use e.g. 512, 64KiB, 100MiB, 2GiB, "
                + "or -1 for no limit");
    }

    /** A duration for people: 7d, 12h, 30s, 250ms, or "none". */
    public static String formatDuration(long ms) {
        if (ms < 0) {
            return "none";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms >= sizes[i] && ms % sizes[i] == 0) {
                return ms / sizes[i] + names[i];
            }
        }
        return ms + "ms";
    }

    /** A size for people: 1.5 MiB, 12 KiB, 300 B. */
    public static String formatBytes(long bytes) {
        if (bytes < 0) {
            return "unlimited";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return (v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v)) + " "
                + units[i];
    }

    private static boolean isUnlimited(String t) {
        return t.equals("-1") || t.equals("none") || t.equals("unlimited") || t.equals("forever");
    }
}
