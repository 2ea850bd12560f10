package io.ratatoskr.server.config;

import io.ratatoskr.server.cli.Quantities;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The type of a configuration value: how its text (from the YAML file, an environment variable or a
 * flag) is parsed and checked, how it is written back, and what it allows, in words, for errors and
 * {@code docs/configuration.md}. A value that does not parse or is out of range is refused with
 * {@code "<text>" is not <allowed>}.
 *
 * <p>Durations need a unit ({@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}) so that a
 * bare {@code 10} is never silently read as milliseconds; sizes take a bare number of bytes or a binary
 * unit ({@code 512KiB}, {@code 1MiB}, {@code 2GiB}). Where a type allows "no limit" it is written
 * {@code none} (or {@code -1}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param <T> the Java type of the value: exactly the type of the record component the key sets
 */
public final class ValueType<T> {
    private static final String DURATION_EXAMPLES = "e.g. 250ms, 10s, 2m, 1h, 7d";

    private final String summary;
    private final String allowed;
    private final Class<T> javaType;
    private final boolean nullable;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;

    private ValueType(String summary, String allowed, Class<T> javaType, Function<String, T> parser,
                      Function<T, String> formatter) {
        this(summary, allowed, javaType, false, parser, formatter);
    }

    private ValueType(String summary, String allowed, Class<T> javaType, boolean nullable,
                      Function<String, T> parser, Function<T, String> formatter) {
        this.summary = summary;
        this.allowed = allowed;
        this.javaType = javaType;
        this.nullable = nullable;
        this.parser = parser;
        this.formatter = formatter;
    }

    /** A short description for the reference table, e.g. {@code integer 0..65535}. */
    public String summary() {
        return summary;
    }

    /** What the type accepts, completing "... is not ": e.g. {@code an integer in 0..65535}. */
    public String allowed() {
        return allowed;
    }

    public Class<T> javaType() {
        return javaType;
    }

    /**
     * The value of {@code text}; null text (a YAML null) is accepted by nullable types only.
     *
     * @throws IllegalArgumentException {@code "<text>" is not <allowed>}
     */
    public T parse(String text) {
        if (nullable && (text == null || text.isBlank() || text.trim().equals("none"))) {
            return null;
        }
        T value;
        try {
            value = text == null ? null : parser.apply(text.trim());
        } catch (RuntimeException e) {
            value = null;
        }
        if (value == null) {
            throw new IllegalArgumentException((text == null ? "null" : "\"" + text + "\"") + " is not " + allowed);
        }
        return value;
    }

    /** The value as it is written in a configuration file ({@code none} for no value). */
    public String format(T value) {
        return value == null ? "none" : formatter.apply(value);
    }

    /** Whether "none" (a YAML null or an empty string) is a valid value. */
    public boolean nullable() {
        return nullable;
    }

    // --- the types ---------------------------------------------------------------------------------

    public static ValueType<Integer> integer(int min, int max) {
        String range = range(min, max, v -> Long.toString(v));
        return new ValueType<>("integer " + range, "an integer in " + range, Integer.class,
                t -> inRange(Integer.parseInt(t), min, max), String::valueOf);
    }

    public static ValueType<Long> longInteger(long min, long max) {
        String range = range(min, max, v -> Long.toString(v));
        return new ValueType<>("integer " + range, "an integer in " + range, Long.class,
                t -> inRange(Long.parseLong(t), min, max), String::valueOf);
    }

    /** An absolute http or https URL (a collector's endpoint). */
    public static ValueType<java.net.URI> httpUrl() {
        return new ValueType<>("http(s) URL", "an http or https URL", java.net.URI.class, t -> {
            java.net.URI u = java.net.URI.create(t);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null ? u : null;
        }, u -> quote(u.toString()));
    }

    public static ValueType<Boolean> bool() {
        return new ValueType<>("boolean", "true or false", Boolean.class, t -> switch (t.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        }, String::valueOf);
    }

    /** A non-blank string (a host name, an address). */
    public static ValueType<String> text() {
        return new ValueType<>("string", "a non-empty string", String.class, t -> t.isEmpty() ? null : t,
                ValueType::quote);
    }

    /** An optional string (an endpoint URL, a name); {@code none} or empty: null. */
    public static ValueType<String> optionalText() {
        return new ValueType<>("string, or none", "a string, or none", String.class, true, t -> t,
                ValueType::quote);
    }

    /**
     * An optional secret (a token); {@code none} or empty: null. {@code --print-config} shows
     * {@code "[hidden]"} instead of the value, so its output does not give a set secret back.
     */
    public static ValueType<String> secret() {
        return new ValueType<>("secret string, or none", "a string, or none", String.class, true, t -> t,
                t -> quote("[hidden]"));
    }

    /** A decimal number (a sampling ratio). */
    public static ValueType<Double> decimal(double min, double max) {
        return new ValueType<>("number " + min + ".." + max, "a number in " + min + ".." + max, Double.class, t -> {
            double v = Double.parseDouble(t);
            return v >= min && v <= max ? v : null;
        }, String::valueOf);
    }

    /** A path (a directory or file that need not exist yet); never none. */
    public static ValueType<Path> directory() {
        return new ValueType<>("path", "a path", Path.class, t -> t.isEmpty() ? null : Path.of(t),
                p -> quote(p.toString()));
    }

    /** An optional file that must exist and be readable; none by default. */
    public static ValueType<Path> readableFile() {
        return new ValueType<>("path of a readable file, or none", "a readable file", Path.class, true, t -> {
            Path p = Path.of(t);
            if (!Files.isReadable(p) || Files.isDirectory(p)) {
                throw new IllegalArgumentException("unreadable");
            }
            return p;
        }, p -> quote(p.toString()));
    }

    /** One of an enum's constants, written in lower case with '-' for '_' ({@code drop-oldest}). */
    public static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type) {
        String names = Arrays.stream(type.getEnumConstants()).map(ValueType::enumName)
                .collect(Collectors.joining(", "));
        return new ValueType<>("one of " + names, "one of " + names, type, t -> {
            for (E e : type.getEnumConstants()) {
                if (enumName(e).equals(t.toLowerCase(Locale.ROOT).replace('_', '-'))) {
                    return e;
                }
            }
            return null;
        }, ValueType::enumName);
    }

    /** A size in bytes held in an int. */
    public static ValueType<Integer> sizeInt(long min, long max) {
        String range = range(min, max, ValueType::formatSize);
        return new ValueType<>("size " + range, "a size in " + range + " (e.g. 512KiB, 1MiB)", Integer.class,
                t -> Math.toIntExact(inRange(Quantities.bytes(t), min, max)), b -> formatSize(b.longValue()));
    }

    /** A size in bytes held in a long; {@code none} (-1) when {@code unlimited}. */
    public static ValueType<Long> sizeLong(long min, long max, boolean unlimited) {
        String or = unlimited ? ", or none" : "";
        String range = range(min, max, ValueType::formatSize);
        return new ValueType<>("size " + range + or, "a size in " + range + " (e.g. 512KiB, 1MiB)" + or, Long.class,
                t -> {
                    long v = Quantities.bytes(t);
                    return unlimited && v == -1 ? -1L : inRange(v, min, max);
                }, b -> b == -1 ? "none" : formatSize(b));
    }

    /** A count held in a long; {@code none} (-1) when {@code unlimited}. */
    public static ValueType<Long> countOrNone(long min) {
        return new ValueType<>("integer >= " + min + ", or none", "an integer >= " + min + ", or none", Long.class,
                t -> t.equalsIgnoreCase("none") || t.equals("-1") ? -1L : inRange(Long.parseLong(t), min,
                        Long.MAX_VALUE), v -> v == -1 ? "none" : String.valueOf(v));
    }

    /** A duration held in milliseconds; {@code none} (-1) when {@code none} is allowed. */
    public static ValueType<Long> millis(long minMs, long maxMs, boolean none) {
        String or = none ? ", or none" : "";
        return new ValueType<>("duration " + range(minMs, maxMs, ValueType::formatMillis) + or,
                "a duration in " + range(minMs, maxMs, ValueType::formatMillis) + " (" + DURATION_EXAMPLES + ")" + or,
                Long.class, t -> {
                    long ms = durationMs(t);
                    return none && ms == -1 ? -1L : inRange(ms, minMs, maxMs);
                }, ms -> ms == -1 ? "none" : formatMillis(ms));
    }

    /** A duration held in whole seconds, in a long. */
    public static ValueType<Long> seconds(long minS, long maxS) {
        String range = range(minS * 1000, maxS * 1000, ValueType::formatMillis);
        return new ValueType<>("duration " + range + ", whole seconds",
                "a whole number of seconds in " + range + " (" + DURATION_EXAMPLES + ")", Long.class, t -> {
                    long ms = durationMs(t);
                    if (ms % 1000 != 0) {
                        throw new IllegalArgumentException("not whole seconds");
                    }
                    return inRange(ms / 1000, minS, maxS);
                }, s -> formatMillis(s * 1000));
    }

    /** A duration held in whole seconds, in an int. */
    public static ValueType<Integer> secondsInt(int minS, int maxS) {
        ValueType<Long> s = seconds(minS, maxS);
        return new ValueType<>(s.summary, s.allowed, Integer.class, t -> Math.toIntExact(s.parser.apply(t)),
                v -> s.formatter.apply(v.longValue()));
    }

    // --- helpers -----------------------------------------------------------------------------------

    /** Milliseconds of a duration with a unit; -1 for none. A bare number (other than 0) has no unit: refused. */
    private static long durationMs(String t) {
        boolean bare = t.chars().allMatch(Character::isDigit);
        if (bare && !t.equals("0")) {
            throw new IllegalArgumentException("a duration needs a unit");
        }
        return Quantities.durationMs(t);
    }

    private static <N extends Comparable<N>> N inRange(N v, N min, N max) {
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException("out of range");
        }
        return v;
    }

    private static String range(long min, long max, Function<Long, String> f) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? ">= " + f.apply(min)
                : f.apply(min) + ".." + f.apply(max);
    }

    static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The largest exact binary unit: 1MiB, 512KiB, 1000 (bytes). */
    static String formatSize(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        long[] sizes = {1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes != 0 && bytes % sizes[i] == 0) {
                return bytes / sizes[i] + units[i];
            }
        }
        return String.valueOf(bytes);
    }

    /** The largest exact unit: 7d, 2m, 250ms, 0s. */
    static String formatMillis(long ms) {
        return ms == 0 ? "0s" : Quantities.formatDuration(ms);
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @Override
    public String toString() {
        return summary;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueType<?> v && v.summary.equals(summary) && Objects.equals(v.javaType, javaType);
    }

    @Override
    public int hashCode() {
        return summary.hashCode();
    }
}
