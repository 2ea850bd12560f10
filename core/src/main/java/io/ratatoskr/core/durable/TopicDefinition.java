package io.ratatoskr.core.durable;

import io.ratatoskr.log.ChannelFactory;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.DurabilityMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A durable topic's definition as stored in {@code <topics dir>/<name>/topic.def}: its name,
 * configuration, generation (1 at creation, +1 at each change) and creation time.
 *
 * <p>File format, version 1: UTF-8 text, one {@code key=value} per line, in this order:
 *
 * <table>
 * <caption>topic.def</caption>
 * <tr><th>key</th><th>value</th></tr>
 * <tr><td>{@code format}</td><td>{@code 1}</td></tr>
 * <tr><td>{@code name}</td><td>the topic's name (must equal its directory's name)</td></tr>
 * <tr><td>{@code generation}</td><td>decimal</td></tr>
 * <tr><td>{@code createdAtMs}</td><td>decimal, milliseconds since the epoch</td></tr>
 * <tr><td>{@code partitions}</td><td>decimal</td></tr>
 * <tr><td>{@code filter}</td><td>zero or more lines, one MQTT topic filter each, in order (none:
 *     the default filters)</td></tr>
 * <tr><td>{@code retentionMaxAgeMs}, {@code retentionMaxBytes}, {@code retentionMaxMessages},
 *     {@code defaultTtlMs}, {@code maxMessageBytes}, {@code groupCommitMaxDelayMs},
 *     {@code dedupeWindowMs}</td><td>decimal ({@code -1}: no limit)</td></tr>
 * <tr><td>{@code cleanupPolicy}</td><td>{@code DELETE}, {@code COMPACT} or {@code COMPACT_DELETE}</td></tr>
 * <tr><td>{@code durability}</td><td>{@code FSYNC}, {@code GROUP} or {@code ASYNC}</td></tr>
 * <tr><td>{@code crc32c}</td><td>last line: 8 hex digits, the CRC32C of every byte before this
 *     line</td></tr>
 * </table>
 *
 * <p>Lines starting with {@code #} are comments. In values, {@code \} is written {@code \\}, a
 * line feed {@code \n} and a carriage return {@code \r}. The file is replaced atomically (written
 * to {@code topic.def.tmp}, fsync'd, renamed, directory fsync'd), so it is always a whole version.
 * A file that fails its checksum, has an unknown key or another format version is refused with
 * {@link IOException}: the registry does not open rather than guess.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name        the topic's name
 * @param config      its configuration
 * @param generation  the definition's version
 * @param createdAtMs when it was created
 */
record TopicDefinition(String name, TopicConfig config, long generation, long createdAtMs) {
    static final String FILE = "topic.def";
    static final int FORMAT = 1;

    /** The next generation of this definition, with {@code newConfig}. */
    TopicDefinition changed(TopicConfig newConfig) {
        return new TopicDefinition(name, newConfig, generation + 1, createdAtMs);
    }

    /** Writes this definition into {@code dir} atomically. */
    void write(Path dir, ChannelFactory channels) throws IOException {
        TopicConfig c = config;
        StringBuilder b = new StringBuilder("# Ratatoskr durable topic definition; see docs/storage.md\n");
        line(b, "format", Integer.toString(FORMAT));
        line(b, "name", name);
        line(b, "generation", Long.toString(generation));
        line(b, "createdAtMs", Long.toString(createdAtMs));
        line(b, "partitions", Integer.toString(c.partitions()));
        for (String f : c.filters()) {
            line(b, "filter", f);
        }
        line(b, "retentionMaxAgeMs", Long.toString(c.retentionMaxAgeMs()));
        line(b, "retentionMaxBytes", Long.toString(c.retentionMaxBytes()));
        line(b, "retentionMaxMessages", Long.toString(c.retentionMaxMessages()));
        line(b, "cleanupPolicy", c.cleanupPolicy().name());
        line(b, "defaultTtlMs", Long.toString(c.defaultTtlMs()));
        line(b, "maxMessageBytes", Integer.toString(c.maxMessageBytes()));
        line(b, "durability", c.durability().name());
        line(b, "groupCommitMaxDelayMs", Long.toString(c.groupCommitMaxDelayMs()));
        line(b, "dedupeWindowMs", Long.toString(c.dedupeWindowMs()));
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] trailer = ("crc32c=" + crcHex(body, body.length) + "\n").getBytes(StandardCharsets.UTF_8);
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel ch = channels.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))) {
            ByteBuffer buf = ByteBuffer.allocate(body.length + trailer.length).put(body).put(trailer).flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir, channels);
    }

    /** Reads the definition in {@code dir}. */
    static TopicDefinition read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        int crcLine = text.lastIndexOf("crc32c=");
        if (crcLine < 0 || (crcLine > 0 && text.charAt(crcLine - 1) != '\n')) {
            throw new IOException(file + ": no checksum line");
        }
        int bodyBytes = text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8).length;
        String stored = text.substring(crcLine + 7).strip();
        if (!stored.equals(crcHex(bytes, bodyBytes))) {
            throw new IOException(file + ": checksum mismatch (the file is corrupt)");
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> filters = new ArrayList<>();
        for (String raw : text.substring(0, crcLine).split("\n")) {
            if (raw.isEmpty() || raw.startsWith("#")) {
                continue;
            }
            int eq = raw.indexOf('=');
            if (eq < 0) {
                throw new IOException(file + ": malformed line '" + raw + "'");
            }
            String key = raw.substring(0, eq);
            String value = unescape(raw.substring(eq + 1));
            if (key.equals("filter")) {
                filters.add(value);
            } else if (values.put(key, value) != null) {
                throw new IOException(file + ": key '" + key + "' appears twice");
            }
        }
        String format = values.remove("format");
        if (!Integer.toString(FORMAT).equals(format)) {
            throw new IOException(file + ": format " + format + " is not supported (this broker reads " + FORMAT + ")");
        }
        try {
            String name = require(values, "name", file);
            TopicConfig config = TopicConfig.builder()
                    .partitions((int) number(values, "partitions", file))
                    .filters(filters)
                    .retentionMaxAgeMs(number(values, "retentionMaxAgeMs", file))
                    .retentionMaxBytes(number(values, "retentionMaxBytes", file))
                    .retentionMaxMessages(number(values, "retentionMaxMessages", file))
                    .cleanupPolicy(CleanupPolicy.valueOf(require(values, "cleanupPolicy", file)))
                    .defaultTtlMs(number(values, "defaultTtlMs", file))
                    .maxMessageBytes((int) number(values, "maxMessageBytes", file))
                    .durability(DurabilityMode.valueOf(require(values, "durability", file)))
                    .groupCommitMaxDelayMs(number(values, "groupCommitMaxDelayMs", file))
                    .dedupeWindowMs(number(values, "dedupeWindowMs", file))
                    .build();
            TopicDefinition d = new TopicDefinition(name, config, number(values, "generation", file),
                    number(values, "createdAtMs", file));
            if (!values.isEmpty()) {
                throw new IOException(file + ": unknown keys " + values.keySet());
            }
            return d;
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static String require(Map<String, String> values, String key, Path file) throws IOException {
        String v = values.remove(key);
        if (v == null) {
            throw new IOException(file + ": missing '" + key + "'");
        }
        return v;
    }

    private static long number(Map<String, String> values, String key, Path file) throws IOException {
        try {
            return Long.parseLong(require(values, key, file));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": '" + key + "' is not a number", e);
        }
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(key).append('=');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(ch);
            }
        }
        b.append('\n');
    }

    private static String unescape(String s) throws IOException {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\') {
                b.append(ch);
                continue;
            }
            if (++i == s.length()) {
                throw new IOException("dangling escape in '" + s + "'");
            }
            switch (s.charAt(i)) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                default -> throw new IOException("unknown escape in '" + s + "'");
            }
        }
        return b.toString();
    }

    private static String crcHex(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /** Makes a rename or removal in {@code dir} durable. */
    static void syncDirectory(Path dir, ChannelFactory channels) throws IOException {
        try (FileChannel ch = channels.open(dir, Set.of(StandardOpenOption.READ))) {
            ch.force(true);
        }
    }
}
