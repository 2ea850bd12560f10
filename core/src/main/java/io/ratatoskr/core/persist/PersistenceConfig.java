package io.ratatoskr.core.persist;

import io.ratatoskr.log.DurabilityMode;

import java.util.Objects;

/**
 * How the broker keeps retained messages and persistent sessions on disk. Immutable; validated on
 * construction.
 *
 * @param sessions              whether persistent sessions are written to {@code <data>/sessions}
 *                              (retained messages are always kept, in {@code <data>/retained})
 * @param durability            when a write counts as done, which is when the publisher is
 *                              acknowledged: {@code FSYNC}, {@code GROUP} (fsync, shared by
 *                              concurrent writes) or {@code ASYNC} (page cache; a machine crash can
 *                              lose the last second)
 * @param groupCommitMaxDelayMs GROUP mode: the longest a write waits for others to share its fsync
 */
public record PersistenceConfig(boolean sessions, DurabilityMode durability, long groupCommitMaxDelayMs) {
    public static final PersistenceConfig DEFAULTS = new PersistenceConfig(true, DurabilityMode.GROUP, 2);

    public PersistenceConfig {
        Objects.requireNonNull(durability, "durability");
        if (groupCommitMaxDelayMs < 0 || groupCommitMaxDelayMs > 1000) {
            throw new IllegalArgumentException("groupCommitMaxDelayMs must be within 0..1000, got "
                    + groupCommitMaxDelayMs);
        }
    }

    public PersistenceConfig withSessions(boolean persist) {
        return new PersistenceConfig(persist, durability, groupCommitMaxDelayMs);
    }

    public PersistenceConfig withDurability(DurabilityMode mode) {
        return new PersistenceConfig(sessions, mode, groupCommitMaxDelayMs);
    }
}
