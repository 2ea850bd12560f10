package io.ratatoskr.server.security;

import java.nio.file.Path;

/**
 * Authorization settings ({@code acl.*} keys).
 *
 * <p>Thread-safety: immutable.
 *
 * @param file             the ACL rules file (format: {@code AclFile}); null: ACLs off, everything allowed
 * @param reloadIntervalMs how often the file's modification time and size are checked for a reload
 */
public record AclConfig(Path file, long reloadIntervalMs) {
    public static final AclConfig DEFAULTS = new AclConfig(null, 5_000);

    public AclConfig {
        if (reloadIntervalMs < 100) {
            throw new IllegalArgumentException("acl.reload-interval must be at least 100 ms: " + reloadIntervalMs);
        }
    }

    public AclConfig withFile(Path f) {
        return new AclConfig(f, reloadIntervalMs);
    }

    public AclConfig withReloadIntervalMs(long ms) {
        return new AclConfig(file, ms);
    }
}
