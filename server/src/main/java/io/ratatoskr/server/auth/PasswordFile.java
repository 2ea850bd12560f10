package io.ratatoskr.server.auth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The users of a password file. The file is UTF-8 text, one entry per line:
 *
 * <table>
 *   <caption>Password file format, version 1</caption>
 *   <tr><th>Line</th><th>Meaning</th></tr>
 *   <tr><td>{@code # ratatoskr-passwords v1}</td><td>format header (written first; optional when read —
 *       a file without it is read as version 1; another version is refused)</td></tr>
 *   <tr><td>{@code # ...}, blank</td><td>comment, ignored</td></tr>
 *   <tr><td>{@code <user>:<groups>:<hash>}</td><td>{@code user}: 1–256 characters, no {@code :}, no white
 *       space; {@code groups}: comma-separated ACL group names, possibly none ({@code alice::...});
 *       {@code hash}: a {@link PasswordHash} ({@code pbkdf2-sha256$<iterations>$<salt>$<hash>})</td></tr>
 * </table>
 *
 * A user appears once. A malformed line makes the whole file invalid (the reader keeps the last good
 * version, see {@link ReloadingFile}). The file is replaced atomically: written to {@code <file>.tmp},
 * fsynced, renamed over the old one, with mode 0600 where the file system is POSIX.
 *
 * <p>Thread-safety: immutable.
 */
public final class PasswordFile {
    public static final String HEADER = "# ratatoskr-passwords v1";
    private static final Pattern VERSION = Pattern.compile("#\\s*ratatoskr-passwords\\s+v(\\d+)\\s*");
    private static final Pattern USER = Pattern.compile("[^:\\s]{1,256}");
    private static final Pattern GROUP = Pattern.compile("[^:,\\s]{1,256}");

    /** One user. */
    public record Entry(String username, Set<String> groups, PasswordHash hash) {
        public Entry {
            if (!USER.matcher(username).matches()) {
                throw new IllegalArgumentException("user name '" + username
                        + "' must be 1-256 characters without ':' or white space");
            }
            for (String g : groups) {
                if (!GROUP.matcher(g).matches()) {
                    throw new IllegalArgumentException("group '" + g + "' must be 1-256 characters without ':', ',' "
                            + "or white space");
                }
            }
            groups = Collections.unmodifiableSet(new LinkedHashSet<>(groups));
        }
    }

    private final Map<String, Entry> users;

    private PasswordFile(Map<String, Entry> users) {
        this.users = Collections.unmodifiableMap(users);
    }

    public static PasswordFile empty() {
        return new PasswordFile(new LinkedHashMap<>());
    }

    /** Reads {@code file}; a missing file is empty when {@code missingIsEmpty}, else an error. */
    public static PasswordFile read(Path file, boolean missingIsEmpty) throws IOException {
        if (missingIsEmpty && !Files.exists(file)) {
            return empty();
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses the file's text; throws IllegalArgumentException naming the first bad line. */
    public static PasswordFile parse(String text) {
        Map<String, Entry> users = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            var version = VERSION.matcher(line);
            if (version.matches() && !version.group(1).equals("1")) {
                throw new IllegalArgumentException("line " + (i + 1) + ": password file version " + version.group(1)
                        + " is not supported (this broker reads v1)");
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", 3);
            try {
                if (parts.length != 3) {
                    throw new IllegalArgumentException("expected <user>:<groups>:<hash>");
                }
                Set<String> groups = new LinkedHashSet<>();
                for (String g : parts[1].split(",")) {
                    if (!g.isBlank()) {
                        groups.add(g.strip());
                    }
                }
                Entry e = new Entry(parts[0], groups, PasswordHash.parse(parts[2]));
                if (users.put(e.username(), e) != null) {
                    throw new IllegalArgumentException("user '" + e.username() + "' appears twice");
                }
            } catch (IllegalArgumentException e) {
                // The line itself may hold a password typed by mistake: never echo it.
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new PasswordFile(users);
    }

    public Entry get(String username) {
        return users.get(username);
    }

    public List<Entry> entries() {
        return List.copyOf(users.values());
    }

    public PasswordFile with(Entry e) {
        Map<String, Entry> copy = new LinkedHashMap<>(users);
        copy.put(e.username(), e);
        return new PasswordFile(copy);
    }

    public PasswordFile without(String username) {
        Map<String, Entry> copy = new LinkedHashMap<>(users);
        copy.remove(username);
        return new PasswordFile(copy);
    }

    public String format() {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Entry e : users.values()) {
            b.append(e.username()).append(':').append(String.join(",", e.groups())).append(':')
                    .append(e.hash().format()).append('\n');
        }
        return b.toString();
    }

    /** Replaces {@code file} atomically (tmp, fsync, rename, fsync of the directory), mode 0600 on POSIX. */
    public void write(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (posix) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
        }
        if (posix) {
            try (FileChannel dir = FileChannel.open(abs.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot sync a directory; the rename is still atomic.
            }
        }
    }

    @Override
    public String toString() {
        return "PasswordFile" + Arrays.toString(users.keySet().toArray());
    }
}
